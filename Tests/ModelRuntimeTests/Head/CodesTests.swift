import ModelFormat
import Testing

@testable import ModelRuntime

/// The BINARY_CODE codeword tables shared by the encoder and the NEAREST_CODE decoder. (The suite
/// name contains "Decoder" so that `--filter Decoder` runs it with the decoder suites.)
@Suite struct CodesDecoderTests {
    /// The Sylvester Hadamard matrix of order 2^k built by its definition, H₁ = [1] and
    /// H₂ₙ = [[H, H], [H, −H]]; independent of `BinaryCodes`, which uses (−1)^popcount(i & j).
    static func sylvester(order: Int) -> [[Int]] {
        var h = [[1]]
        while h.count < order {
            h = h.map { $0 + $0 } + h.map { $0 + $0.map { -$0 } }
        }
        return h
    }

    /// The hand-derived rows 1…3 of H₄ = [[1,1,1,1], [1,−1,1,−1], [1,1,−1,−1], [1,−1,−1,1]].
    @Test func hadamardOfOrderFourIsWrittenOut() throws {
        #expect(Self.sylvester(order: 4) == [[1, 1, 1, 1], [1, -1, 1, -1], [1, 1, -1, -1], [1, -1, -1, 1]])
        let table = try BinaryCodes.table(classes: 3, code: .hadamard)
        #expect(table == [[1, 0, 1, 0], [1, 1, 0, 0], [1, 0, 0, 1]])
    }

    struct WordCase: Sendable, CustomTestStringConvertible {
        let code: ProtoLabelEncoding.Code
        let index: Int
        let classes: Int
        let bits: Int?
        let expected: [UInt8]
        var testDescription: String { "\(code) class \(index) of \(classes), bits \(bits.map(String.init) ?? "-")" }
    }

    static let wordCases: [WordCase] = [
        // NATURAL: c in base 2, unit 0 the most significant bit; ceil(log2 C) bits (at least 1).
        .init(code: .natural, index: 5, classes: 10, bits: nil, expected: [0, 1, 0, 1]),
        .init(code: .natural, index: 0, classes: 10, bits: nil, expected: [0, 0, 0, 0]),
        .init(code: .natural, index: 9, classes: 10, bits: nil, expected: [1, 0, 0, 1]),
        .init(code: .natural, index: 3, classes: 4, bits: nil, expected: [1, 1]),
        .init(code: .natural, index: 4, classes: 5, bits: nil, expected: [1, 0, 0]),
        .init(code: .natural, index: 1, classes: 2, bits: nil, expected: [1]),
        .init(code: .natural, index: 0, classes: 1, bits: nil, expected: [0]),
        .init(code: .natural, index: 5, classes: 10, bits: 6, expected: [0, 0, 0, 1, 0, 1]),
        .init(code: .natural, index: 5, classes: 10, bits: 0, expected: [0, 1, 0, 1]),
        // GRAY: c xor (c >> 1): 5 -> 7, 2 -> 3, 3 -> 2, 9 -> 13, 6 -> 5.
        .init(code: .gray, index: 5, classes: 10, bits: nil, expected: [0, 1, 1, 1]),
        .init(code: .gray, index: 2, classes: 4, bits: nil, expected: [1, 1]),
        .init(code: .gray, index: 3, classes: 4, bits: nil, expected: [1, 0]),
        .init(code: .gray, index: 9, classes: 10, bits: nil, expected: [1, 1, 0, 1]),
        .init(code: .gray, index: 6, classes: 8, bits: nil, expected: [1, 0, 1]),
        // HADAMARD: row c + 1 of H of order 2^k > C. One class: row 1 of H₂ = [1, −1].
        .init(code: .hadamard, index: 0, classes: 1, bits: nil, expected: [1, 0]),
        .init(code: .hadamard, index: 2, classes: 3, bits: nil, expected: [1, 0, 0, 1]),
        // Row 1 of H₈ = [H₄ row 1, H₄ row 1] = [1,−1,1,−1,1,−1,1,−1].
        .init(code: .hadamard, index: 0, classes: 3, bits: 8, expected: [1, 0, 1, 0, 1, 0, 1, 0]),
    ]

    @Test(arguments: wordCases)
    func codeword(_ c: WordCase) throws {
        #expect(try BinaryCodes.codeword(class: c.index, classes: c.classes, code: c.code, bits: c.bits) == c.expected)
        #expect(try BinaryCodes.table(classes: c.classes, code: c.code, bits: c.bits)[c.index] == c.expected)
    }

    /// (classes, code, bits, length): ceil(log2 C) at least 1; 2^k > C for HADAMARD.
    static let lengthCases: [(Int, ProtoLabelEncoding.Code, Int?, Int)] = [
        (1, .natural, nil, 1), (2, .natural, nil, 1), (3, .natural, nil, 2), (10, .natural, nil, 4),
        (1024, .natural, nil, 10), (1025, .gray, nil, 11), (10, .gray, 7, 7),
        (1, .hadamard, nil, 2), (2, .hadamard, nil, 4), (3, .hadamard, nil, 4), (4, .hadamard, nil, 8),
        (7, .hadamard, nil, 8), (8, .hadamard, nil, 16), (10, .hadamard, nil, 16), (10, .hadamard, 32, 32),
    ]

    @Test(arguments: lengthCases)
    func length(_ c: (Int, ProtoLabelEncoding.Code, Int?, Int)) throws {
        #expect(try BinaryCodes.length(classes: c.0, code: c.1, bits: c.2) == c.3)
    }

    /// Every table's rows are the Sylvester rows 1…C, +1 → 1 and −1 → 0, and any two codewords
    /// differ in exactly 2^(k−1) bits (distinct Hadamard rows are orthogonal), so the minimum
    /// pairwise Hamming distance is 2^(k−1).
    @Test(arguments: [1, 2, 3, 4, 5, 7, 8, 10, 16, 20])
    func hadamardRowsAndDistance(classes: Int) throws {
        let table = try BinaryCodes.table(classes: classes, code: .hadamard)
        let order = table[0].count
        #expect(order > classes && order / 2 <= classes)
        let h = Self.sylvester(order: order)
        for c in 0..<classes {
            #expect(table[c] == h[c + 1].map { $0 == 1 ? 1 : 0 })
        }
        var minimum = Int.max
        for a in 0..<classes {
            for b in (a + 1)..<max(a + 1, classes) {
                let distance = zip(table[a], table[b]).filter { $0 != $1 }.count
                #expect(distance == order / 2)
                minimum = min(minimum, distance)
            }
        }
        if classes > 1 { #expect(minimum == order / 2) }
    }

    /// Consecutive GRAY codewords differ in exactly one bit; all codewords of a code are distinct.
    @Test(arguments: [ProtoLabelEncoding.Code.natural, .gray, .hadamard])
    func codewordsAreDistinct(code: ProtoLabelEncoding.Code) throws {
        let table = try BinaryCodes.table(classes: 16, code: code)
        #expect(Set(table).count == 16)
        if code == .gray {
            for c in 1..<16 { #expect(zip(table[c - 1], table[c]).filter { $0 != $1 }.count == 1) }
        }
    }

    struct ErrorCase: Sendable, CustomTestStringConvertible {
        let name: String
        let code: ProtoLabelEncoding.Code
        let index: Int
        let classes: Int
        let bits: Int?
        let expected: BinaryCodeError
        var testDescription: String { name }
    }

    static let errorCases: [ErrorCase] = [
        .init(name: "no classes", code: .natural, index: 0, classes: 0, bits: nil, expected: .classCount(0)),
        .init(
            name: "class out of range", code: .natural, index: 10, classes: 10, bits: nil,
            expected: .classOutOfRange(class: 10, classes: 10)),
        .init(
            name: "negative class", code: .gray, index: -1, classes: 10, bits: nil,
            expected: .classOutOfRange(class: -1, classes: 10)),
        .init(
            name: "too few bits", code: .natural, index: 0, classes: 10, bits: 3,
            expected: .tooFewBits(bits: 3, classes: 10, minimum: 4)),
        .init(
            name: "hadamard length not a power of two", code: .hadamard, index: 0, classes: 10, bits: 12,
            expected: .hadamardLength(bits: 12, classes: 10)),
        .init(
            name: "hadamard order not above C", code: .hadamard, index: 0, classes: 10, bits: 8,
            expected: .hadamardLength(bits: 8, classes: 10)),
        .init(name: "unknown code", code: .UNRECOGNIZED(7), index: 0, classes: 4, bits: nil, expected: .unknownCode(7)),
        .init(
            name: "code too long", code: .natural, index: 0, classes: 4, bits: (1 << 20) + 1,
            expected: .tooLarge(entries: (1 << 20) + 1, limit: BinaryCodes.maximumLength)),
        .init(
            name: "hadamard order too large", code: .hadamard, index: 0, classes: 1 << 20, bits: nil,
            expected: .tooLarge(entries: 1 << 21, limit: BinaryCodes.maximumLength)),
    ]

    @Test(arguments: errorCases)
    func rejects(_ c: ErrorCase) {
        #expect(throws: c.expected) {
            try BinaryCodes.codeword(class: c.index, classes: c.classes, code: c.code, bits: c.bits)
        }
    }

    /// A table of classes × bits beyond `maximumTableEntries` is refused before it is built.
    @Test func tableTooLarge() {
        let classes = 1 << 24
        #expect(throws: BinaryCodeError.tooLarge(entries: classes * 24, limit: BinaryCodes.maximumTableEntries)) {
            try BinaryCodes.table(classes: classes, code: .natural)
        }
        #expect(
            BinaryCodeError.tooFewBits(bits: 3, classes: 10, minimum: 4).description
                == "bits is 3, but 10 classes need at least 4 bits (ceil(log2 10))")
    }
}
