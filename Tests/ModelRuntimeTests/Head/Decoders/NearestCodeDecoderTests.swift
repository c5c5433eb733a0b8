import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

@Suite struct NearestCodeDecoderTests {
    typealias Mode = NearestCodeDecoder.Mode

    static func head(_ code: ProtoLabelEncoding.Code, classes: Int64 = 10, fromLogits: Bool = false) -> ProtoHead {
        decoderTestHead(.binaryCode, classes: classes, fromLogits: fromLogits) { $0.encoding.code = code }
    }

    /// Softened codewords (bit 1 → 0.8, bit 0 → 0.2) of every class decode to that class, in both
    /// modes; the Hamming score is 0 and the likelihood posterior is the largest of all classes.
    @Test(arguments: [ProtoLabelEncoding.Code.natural, .gray, .hadamard], Mode.allCases)
    func recoversEveryClassFromSoftCodewords(code: ProtoLabelEncoding.Code, mode: Mode) throws {
        let decoder = try NearestCodeDecoder(for: Self.head(code), mode: mode)
        let table = try BinaryCodes.table(classes: 10, code: code)
        let rows = table.map { word in word.map { $0 == 1 ? Float(0.8) : 0.2 } }
        let predictions = try decoder.decode(decoderInput(rows))
        #expect(predictions.map(\.labels) == (0..<10).map { [$0] })
        #expect(predictions.map(\.names) == (0..<10).map { [String($0)] })
        if mode == .hamming { #expect(predictions.allSatisfy { $0.scores == [0] }) }
    }

    /// (code, true class, noisy bit probabilities) whose thresholded bits are not the true
    /// codeword; both modes still recover the class.
    static let noisyCases: [(ProtoLabelEncoding.Code, Int, [Float])] = [
        // NATURAL 5 = 0101; read as 1101 = 13, not a class of 10. Class 5 and 9 (1001) are both one bit
        // away; bit 0 (0.6) is the weakest, so the likelihood picks 5, and Hamming breaks the tie to 5.
        (.natural, 5, [0.6, 0.9, 0.1, 0.95]),
        // GRAY 5 → 7 = 0111; read as 1111 (GRAY of 10, not a class). Class 9 (GRAY 13 = 1101) is also one
        // bit away, but ℓ5 = log(.4·.8·.7·.9) > ℓ9 = log(.6·.8·.3·.9).
        (.gray, 5, [0.6, 0.8, 0.7, 0.9]),
    ]

    @Test(arguments: noisyCases, Mode.allCases)
    func recoversNoisyCodewords(_ c: (ProtoLabelEncoding.Code, Int, [Float]), mode: Mode) throws {
        let decoder = try NearestCodeDecoder(for: Self.head(c.0), mode: mode)
        #expect(try decoder.decode(decoderInput([c.2])).first?.labels == [c.1])
    }

    /// Three confidently wrong bits of a HADAMARD codeword are corrected, for every class and mode.
    ///
    /// HADAMARD codes of 10 classes have 16 bits and minimum distance 8, so three flipped bits (at
    /// varying places) leave the true codeword the nearest. The codeword comes from the test's own
    /// Sylvester construction.
    @Test(arguments: Mode.allCases)
    func hadamardCorrectsThreeFlippedBits(mode: Mode) throws {
        let decoder = try NearestCodeDecoder(for: Self.head(.hadamard), mode: mode)
        let h = CodesDecoderTests.sylvester(order: 16)
        for c in 0..<10 {
            let flipped: Set<Int> = [c, (c + 5) % 16, (c + 11) % 16]
            let row = h[c + 1].enumerated().map { j, sign -> Float in
                let one = (sign == 1) != flipped.contains(j)
                return one ? 0.9 : 0.1
            }
            let prediction = try #require(try decoder.decode(decoderInput([row])).first)
            #expect(prediction.labels == [c], "class \(c)")
            if mode == .hamming { #expect(prediction.scores == [3]) }
        }
    }

    /// Two bits code four classes, so every bit pattern is a class and the posterior of class 1 (01)
    /// is (1 − σ(x₀))·σ(x₁) = σ(2)·σ(3) for logits [−2, 3].
    @Test func likelihoodScoreFromLogits() throws {
        let decoder = try NearestCodeDecoder(for: Self.head(.natural, classes: 4, fromLogits: true))
        let prediction = try #require(try decoder.decode(decoderInput([[-2, 3]])).first)
        #expect(prediction.labels == [1])
        expectScores(prediction.scores, [referenceSigmoid(2) * referenceSigmoid(3)])
    }

    /// The posterior by formula, with p clipped to [1e-7, 1 − 1e-7] and codewords 000, 001, 010 of 3
    /// classes (NATURAL, 2 bits would do; `bits` 3 adds a leading zero bit).
    @Test func likelihoodScoreByFormula() throws {
        let decoder = try NearestCodeDecoder(classes: 3, code: .natural, bits: 3)
        let p: [Double] = [0.3, 0.2, 0.6]
        let words: [[Double]] = [[0, 0, 0], [0, 0, 1], [0, 1, 0]]
        // ℓ_c = Σ_j b_cj·log p_j + (1 − b_cj)·log(1 − p_j); posterior = e^ℓ₁ / Σ_c e^ℓ_c.
        var loglik: [Double] = []
        for b in words {
            var sum = 0.0
            for j in 0..<3 { sum += b[j] == 1 ? log(p[j]) : log(1 - p[j]) }
            loglik.append(sum)
        }
        let posterior = exp(loglik[1]) / loglik.map(exp).reduce(0, +)
        let prediction = try #require(try decoder.decode(decoderInput([p.map(Float.init)])).first)
        #expect(prediction.labels == [1])
        expectScores(prediction.scores, [posterior])
        // Exact 0/1 probabilities are clipped: log 0 never occurs and the score stays finite.
        let exact = try #require(try decoder.decode(decoderInput([[1, 1, 1]])).first)
        #expect(exact.labels == [1] && exact.scores[0].isFinite)
    }

    /// Hamming mode: 1101 is one bit from classes 5 and 9; the lower index wins, the score is 1.
    @Test func hammingTieAndDistance() throws {
        let decoder = try NearestCodeDecoder(for: Self.head(.natural), mode: .hamming)
        #expect(
            try decoder.decode(decoderInput([[1, 1, 0, 1]])) == [Prediction(labels: [5], names: ["5"], scores: [1])])
    }

    /// One bit for two classes: an `[N]` output; class_label names the classes.
    @Test func oneBitVector() throws {
        let head = decoderTestHead(.binaryCode, classes: 2) { $0.classLabel = ["no", "yes"] }
        let predictions = try NearestCodeDecoder(for: head).decode(Tensor(shape: [2], scalars: [0.2, 0.9]))
        #expect(predictions.map(\.labels) == [[0], [1]])
        #expect(predictions.map(\.names) == [["no"], ["yes"]])
    }

    static let shapeCases: [(ProtoLabelEncoding.Code, [Int], String)] = [
        (
            .natural, [1, 5],
            "head 'h' (NEAREST_CODE): output shape [1, 5] does not match [N, 4]: "
                + "one unit per code bit, 4 bits for 10 classes"
        ),
        (
            .hadamard, [2, 4],
            "head 'h' (NEAREST_CODE): output shape [2, 4] does not match [N, 16]: "
                + "one unit per code bit, 16 bits for 10 classes"
        ),
        (
            .gray, [4],
            "head 'h' (NEAREST_CODE): output shape [4] does not match [N, 4]: "
                + "one unit per code bit, 4 bits for 10 classes"
        ),
    ]

    @Test(arguments: shapeCases)
    func rejectsWrongWidth(_ c: (ProtoLabelEncoding.Code, [Int], String)) throws {
        let decoder = try NearestCodeDecoder(for: Self.head(c.0))
        let error = decodeError { () throws(DecodeError) in _ = try decoder.decode(Tensor(zeros: c.1)) }
        #expect(error?.description == c.2)
    }

    @Test func rejectsHeadsWithoutACode() {
        let notBinary = decodeError { () throws(DecodeError) in
            _ = try NearestCodeDecoder(for: decoderTestHead(.oneHot, classes: 4))
        }
        #expect(
            notBinary?.description
                == "head 'h' (NEAREST_CODE): encoding.kind: "
                + "NEAREST_CODE decodes BINARY_CODE outputs, but the encoding is ONE_HOT"
        )
        let noClasses = decodeError { () throws(DecodeError) in
            _ = try NearestCodeDecoder(for: decoderTestHead(.binaryCode))
        }
        #expect(noClasses?.description.contains("encoding.num_classes: is unset") == true)
        let fewBits = decodeError { () throws(DecodeError) in
            _ = try NearestCodeDecoder(for: decoderTestHead(.binaryCode, classes: 10) { $0.encoding.bits = 3 })
        }
        #expect(
            fewBits?.description
                == "head 'h' (NEAREST_CODE): encoding: bits is 3, but 10 classes need at least 4 bits (ceil(log2 10))")
    }
}
