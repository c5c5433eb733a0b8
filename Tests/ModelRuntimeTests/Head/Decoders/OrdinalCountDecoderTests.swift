import ModelFormat
import Testing

@testable import ModelRuntime

@Suite struct OrdinalCountDecoderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let threshold: Float
        let row: [Float]
        let level: Int
        /// Π_j (p_j if counted else 1 − p_j), worked by hand.
        let score: Double
        var testDescription: String { name }
    }

    /// Five levels, four outputs P(level > j).
    static let cases: [Case] = [
        .init(name: "level 2", threshold: 0, row: [0.9, 0.8, 0.3, 0.1], level: 2, score: 0.9 * 0.8 * 0.7 * 0.9),
        .init(
            name: "nothing above: level 0", threshold: 0, row: [0.4, 0.3, 0.2, 0.1], level: 0,
            score: 0.6 * 0.7 * 0.8 * 0.9),
        .init(
            name: "all above: top level", threshold: 0, row: [0.9, 0.9, 0.8, 0.6], level: 4,
            score: 0.9 * 0.9 * 0.8 * 0.6),
        .init(
            name: "not monotone: still a count", threshold: 0, row: [0.9, 0.2, 0.7, 0.1], level: 2,
            score: 0.9 * 0.8 * 0.7 * 0.9),
        .init(name: "0.5 is not above 0.5", threshold: 0, row: [0.5, 0.5, 0.5, 0.5], level: 0, score: 0.0625),
        .init(
            name: "threshold 0.7", threshold: 0.7, row: [0.75, 0.7, 0.2, 0.1], level: 1, score: 0.75 * 0.3 * 0.8 * 0.9),
    ]

    @Test(arguments: cases)
    func countsOutputsAboveTheThreshold(_ c: Case) throws {
        let head = decoderTestHead(.ordinal, classes: 5) { $0.decoder.threshold = c.threshold }
        let prediction = try #require(try OrdinalCountDecoder(for: head).decode(decoderInput([c.row])).first)
        #expect(prediction.labels == [c.level])
        #expect(prediction.names == [String(c.level)])
        expectScores(prediction.scores, [c.score])
    }

    /// Logits [2, 0.5, −1]: σ = [0.881, 0.622, 0.269] → level 2, score σ(2)·σ(0.5)·(1 − σ(−1)).
    @Test func appliesSigmoidToLogits() throws {
        let head = decoderTestHead(.ordinal, classes: 4, fromLogits: true)
        let prediction = try #require(try OrdinalCountDecoder(for: head).decode(decoderInput([[2, 0.5, -1]])).first)
        #expect(prediction.labels == [2])
        expectScores(prediction.scores, [referenceSigmoid(2) * referenceSigmoid(0.5) * (1 - referenceSigmoid(-1))])
    }

    @Test func namesLevelsAndAcceptsAVectorForTwoLevels() throws {
        let named = decoderTestHead(.ordinal, classes: 3) { $0.classLabel = ["low", "mid", "high"] }
        #expect(try OrdinalCountDecoder(for: named).decode(decoderInput([[0.9, 0.1]])).first?.names == ["mid"])
        let two = try OrdinalCountDecoder(for: decoderTestHead(.ordinal, classes: 2))
        #expect(try two.decode(Tensor(shape: [2], scalars: [0.3, 0.8])).map(\.labels) == [[0], [1]])
        // Unset num_classes: the levels are the width plus one.
        let inferred = try OrdinalCountDecoder(for: decoderTestHead(.ordinal))
        #expect(try inferred.decode(decoderInput([[0.9, 0.9, 0.9]])).first?.labels == [3])
    }

    @Test func rejectsWrongWidthAndTooFewLevels() throws {
        let decoder = try OrdinalCountDecoder(for: decoderTestHead(.ordinal, classes: 5))
        let error = decodeError { () throws(DecodeError) in _ = try decoder.decode(Tensor(zeros: [2, 5])) }
        #expect(
            error?.description == "head 'h' (ORDINAL_COUNT): output shape [2, 5] does not match [N, 4]: "
                + "one unit per threshold between consecutive levels, C − 1 = 4 for 5 levels")
        let one = decodeError { () throws(DecodeError) in
            _ = try OrdinalCountDecoder(for: decoderTestHead(.ordinal, classes: 1))
        }
        #expect(one?.description == "head 'h' (ORDINAL_COUNT): encoding.num_classes: is 1, but must be at least 2")
    }
}
