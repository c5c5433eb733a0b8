import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

@Suite struct ArgmaxDecoderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let topK: Int64
        let labels: [String]
        let row: [Float]
        let expected: Prediction
        var testDescription: String { name }
    }

    /// Probabilities in (no logits), so scores are the inputs themselves.
    static let cases: [Case] = [
        .init(
            name: "highest class", topK: 0, labels: [], row: [0.1, 0.7, 0.2],
            expected: Prediction(labels: [1], names: ["1"], scores: [0.7])),
        .init(
            name: "tie goes to the lower index", topK: 0, labels: [], row: [0.4, 0.4, 0.2],
            expected: Prediction(labels: [0], names: ["0"], scores: [0.4])),
        .init(
            name: "top 2 with a tie", topK: 2, labels: [], row: [0.2, 0.3, 0.3, 0.2],
            expected: Prediction(labels: [1, 2], names: ["1", "2"], scores: [0.3, 0.3])),
        .init(
            name: "top 3 breaks the second tie by index", topK: 3, labels: [], row: [0.2, 0.3, 0.3, 0.2],
            expected: Prediction(labels: [1, 2, 0], names: ["1", "2", "0"], scores: [0.3, 0.3, 0.2])),
        .init(
            name: "top_k above C returns every class", topK: 5, labels: [], row: [0.5, 0.2, 0.3],
            expected: Prediction(labels: [0, 2, 1], names: ["0", "2", "1"], scores: [0.5, 0.3, 0.2])),
        .init(
            name: "class_label names", topK: 2, labels: ["cat", "dog", "bird"], row: [0.1, 0.3, 0.6],
            expected: Prediction(labels: [2, 1], names: ["bird", "dog"], scores: [0.6, 0.3])),
    ]

    @Test(arguments: cases)
    func decodesProbabilities(_ c: Case) throws {
        let head = decoderTestHead(.oneHot, classes: Int64(c.row.count)) {
            $0.decoder.topK = c.topK
            $0.classLabel = c.labels
        }
        let predictions = try ArgmaxDecoder(for: head).decode(decoderInput([c.row]))
        #expect(predictions == [c.expected])
    }

    /// From logits x = [1, 2, 3]: scores are softmax(x)_c = e^x_c / Σ e^x_j ≈ [0.090, 0.245, 0.665].
    @Test func appliesSoftmaxToLogits() throws {
        let head = decoderTestHead(.oneHot, classes: 3, fromLogits: true) { $0.decoder.topK = 2 }
        let prediction = try #require(try ArgmaxDecoder(for: head).decode(decoderInput([[1, 2, 3]])).first)
        let p = referenceSoftmax([1, 2, 3])
        #expect(prediction.labels == [2, 1])
        expectScores(prediction.scores, [p[2], p[1]])
    }

    /// A NEGATIVE_LOG_LIKELIHOOD head outputs log-probabilities; scores are the probabilities.
    @Test func negativeLogLikelihoodScoresAreProbabilities() throws {
        let head = decoderTestHead(.oneHot, classes: 3) {
            $0.loss.kind = .negativeLogLikelihood
            $0.decoder.topK = 2
        }
        let row = [0.2, 0.5, 0.3].map { Float(log($0)) }
        let prediction = try #require(try ArgmaxDecoder(for: head).decode(decoderInput([row])).first)
        #expect(prediction.labels == [1, 2])
        expectScores(prediction.scores, [0.5, 0.3])
    }

    @Test func decodesEverySampleAndNoSamples() throws {
        let decoder = try ArgmaxDecoder(classes: 3)
        let predictions = try decoder.decode(decoderInput([[0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]))
        #expect(predictions.map(\.labels) == [[2], [0]])
        #expect(try decoder.decode(decoderInput([], width: 3)) == [])
    }

    /// NaN ranks last rather than winning or trapping.
    @Test func nanRanksLast() throws {
        let prediction = try ArgmaxDecoder(classes: 3, topK: 3).decode(decoderInput([[.nan, 0.2, 0.1]]))
        #expect(prediction.first?.labels == [1, 2, 0])
    }

    /// The class count comes from the output width when num_classes is unset.
    @Test func classesFromWidth() throws {
        let prediction = try ArgmaxDecoder(for: decoderTestHead(.oneHot)).decode(decoderInput([[0, 0, 0, 0, 1]]))
        #expect(prediction == [Prediction(labels: [4], names: ["4"], scores: [1])])
    }

    /// (shape, message): a wrong width, a vector (ranking one unit means nothing) and a rank-3 output.
    static let shapeCases: [([Int], String)] = [
        ([2, 4], "head 'h' (ARGMAX): output shape [2, 4] does not match [N, 3]: one score per class, 3 classes"),
        ([3], "head 'h' (ARGMAX): output shape [3] does not match [N, 3]: one score per class, 3 classes"),
        ([1, 3, 2], "head 'h' (ARGMAX): output shape [1, 3, 2] does not match [N, 3]: one score per class, 3 classes"),
    ]

    @Test(arguments: shapeCases)
    func rejectsWrongShapes(_ c: ([Int], String)) throws {
        let decoder = try ArgmaxDecoder(for: decoderTestHead(.oneHot, classes: 3))
        let output = Tensor(zeros: c.0)
        let error = decodeError { () throws(DecodeError) in _ = try decoder.decode(output) }
        #expect(error?.description == c.1)
        #expect(error?.code == "decode.output-shape")
    }

    @Test func rejectsBadSettings() {
        let negative = decodeError { () throws(DecodeError) in
            _ = try ArgmaxDecoder(for: decoderTestHead(.oneHot, classes: 3) { $0.decoder.topK = -1 })
        }
        #expect(negative?.description == "head 'h' (ARGMAX): decoder.top_k: is -1, but must be at least 1")
        let names = decodeError { () throws(DecodeError) in
            _ = try ArgmaxDecoder(for: decoderTestHead(.oneHot, classes: 3) { $0.classLabel = ["a", "b"] })
        }
        #expect(names?.code == "decode.configuration")
        #expect(names?.description.contains("class_label: has 2 names, but the head has 3 classes") == true)
    }
}
