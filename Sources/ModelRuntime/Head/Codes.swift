import ModelCompiler
import ModelFormat

/// Codewords of the BINARY_CODE label encoding (DESIGN §3), shared by its encoder and the
/// NEAREST_CODE decoder.
///
/// A codeword has one entry (0 or 1) per output unit; unit 0 holds the most significant bit.
/// - NATURAL: class c in base 2, e.g. class 5 of 10 → `[0, 1, 0, 1]`.
/// - GRAY: c xor (c >> 1) in base 2, e.g. class 5 → 7 → `[0, 1, 1, 1]`.
/// - HADAMARD: row c + 1 of the Sylvester Hadamard matrix H of the smallest order 2^k > C
///   (H₁ = [1], H₂ₙ = [[H, H], [H, −H]]), +1 → 1 and −1 → 0. Row 0 (all ones) is skipped, so
///   any two codewords differ in exactly 2^(k−1) bits: an error-correcting output code.
///
/// The length is `bits` when given (NATURAL/GRAY: leading zero bits; HADAMARD: the order of
/// the matrix, a power of two above C), else ceil(log2 C) (at least 1) or 2^k for HADAMARD.
public enum BinaryCodes {
    /// The longest code accepted, in bits (output units per sample).
    public static let maximumLength = 1 << 20
    /// The most entries (classes × bits) a whole code table may have: 64 Mi bytes.
    public static let maximumTableEntries = 1 << 26

    /// The code length (output width) for `classes` classes; `bits` nil or 0 means the default.
    ///
    /// - Throws: `BinaryCodeError` when there are no classes, `bits` cannot hold them, a
    ///   HADAMARD length is not a power of two above C, or the length exceeds `maximumLength`.
    public static func length(
        classes: Int, code: ProtoLabelEncoding.Code, bits: Int? = nil
    ) throws(BinaryCodeError) -> Int {
        guard classes >= 1 else { throw .classCount(classes) }
        let requested = bits ?? 0
        let length: Int
        switch code {
        case .natural, .gray:
            let minimum = BinaryCodeLength.minimumBits(classes: classes)
            if requested == 0 {
                length = minimum
            } else if requested < minimum {
                throw .tooFewBits(bits: requested, classes: classes, minimum: minimum)
            } else {
                length = requested
            }
        case .hadamard:
            if requested == 0 {
                length = BinaryCodeLength.hadamardOrder(classes: classes)
            } else if requested > classes && requested.nonzeroBitCount == 1 {
                length = requested
            } else {
                throw .hadamardLength(bits: requested, classes: classes)
            }
        case .UNRECOGNIZED(let raw):
            throw .unknownCode(raw)
        }
        guard length <= maximumLength else { throw .tooLarge(entries: length, limit: maximumLength) }
        return length
    }

    /// The codeword of class `index` among `classes`: one 0/1 entry per output unit, unit 0 the
    /// most significant bit.
    ///
    /// - Throws: `BinaryCodeError` as `length(classes:code:bits:)`, or when `index` is outside
    ///   0..<classes.
    public static func codeword(
        class index: Int, classes: Int, code: ProtoLabelEncoding.Code, bits: Int? = nil
    ) throws(BinaryCodeError) -> [UInt8] {
        let length = try length(classes: classes, code: code, bits: bits)
        guard (0..<classes).contains(index) else { throw .classOutOfRange(class: index, classes: classes) }
        return word(index, code: code, length: length)
    }

    /// The codewords of every class, row c for class c (`[C][length]`).
    ///
    /// - Throws: `BinaryCodeError` as `length(classes:code:bits:)`, or `.tooLarge` when
    ///   classes × length exceeds `maximumTableEntries`.
    public static func table(
        classes: Int, code: ProtoLabelEncoding.Code, bits: Int? = nil
    ) throws(BinaryCodeError) -> [[UInt8]] {
        let length = try length(classes: classes, code: code, bits: bits)
        let (entries, overflow) = classes.multipliedReportingOverflow(by: length)
        guard !overflow, entries <= maximumTableEntries else {
            throw .tooLarge(entries: overflow ? Int.max : entries, limit: maximumTableEntries)
        }
        return (0..<classes).map { word($0, code: code, length: length) }
    }

    /// The codeword of a valid class for a valid length (checked by the callers).
    private static func word(_ index: Int, code: ProtoLabelEncoding.Code, length: Int) -> [UInt8] {
        switch code {
        case .hadamard:
            // Sylvester: H[i][j] = (−1)^popcount(i & j); +1 (an even count) becomes bit 1.
            let row = index + 1
            return (0..<length).map { column in (row & column).nonzeroBitCount % 2 == 0 ? 1 : 0 }
        case .gray:
            return bitsOf(index ^ (index >> 1), length: length)
        case .natural, .UNRECOGNIZED:
            return bitsOf(index, length: length)
        }
    }

    /// `value` in base 2 over `length` units, most significant first (shifts past 63 give 0).
    private static func bitsOf(_ value: Int, length: Int) -> [UInt8] {
        (0..<length).map { unit in UInt8((value >> (length - 1 - unit)) & 1) }
    }
}
