import ModelFormat
import Testing

@testable import ModelRuntime

@Suite struct ThresholdDecoderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let threshold: Float
        let classThreshold: [Float]
        let maxLabels: Int64
        let row: [Float]
        let expected: [Int]
        var testDescription: String { name }
    }

    /// Probabilities in; labels come back most probable first, scores are the probabilities.
    static let cases: [Case] = [
        .init(
            name: "default 0.5", threshold: 0, classThreshold: [], maxLabels: 0, row: [0.9, 0.2, 0.6],
            expected: [0, 2]),
        .init(
            name: "nothing above: empty prediction", threshold: 0, classThreshold: [], maxLabels: 0,
            row: [0.1, 0.4, 0.49], expected: []),
        .init(
            name: "equal to the threshold counts", threshold: 0, classThreshold: [], maxLabels: 0, row: [0.5, 0.2],
            expected: [0]),
        .init(
            name: "threshold 0.3", threshold: 0.3, classThreshold: [], maxLabels: 0, row: [0.35, 0.2, 0.31],
            expected: [0, 2]),
        .init(
            name: "class_threshold overrides threshold", threshold: 0.3, classThreshold: [0.9, 0.1, 0.5],
            maxLabels: 0, row: [0.8, 0.15, 0.5], expected: [2, 1]),
        .init(
            name: "max_labels keeps the most probable", threshold: 0, classThreshold: [], maxLabels: 2,
            row: [0.9, 0.8, 0.95, 0.7], expected: [2, 0]),
        .init(
            name: "max_labels tie keeps the lower index", threshold: 0, classThreshold: [], maxLabels: 2,
            row: [0.8, 0.9, 0.8], expected: [1, 0]),
        .init(
            name: "max_labels above the count", threshold: 0, classThreshold: [], maxLabels: 5, row: [0.8, 0.1],
            expected: [0]),
    ]

    @Test(arguments: cases)
    func decodesProbabilities(_ c: Case) throws {
        let head = decoderTestHead(.multiHot, classes: Int64(c.row.count)) {
            $0.decoder.threshold = c.threshold
            $0.decoder.classThreshold = c.classThreshold
            $0.decoder.maxLabels = c.maxLabels
        }
        let prediction = try ThresholdDecoder(for: head).decode(decoderInput([c.row]))
        #expect(
            prediction == [
                Prediction(labels: c.expected, names: c.expected.map(String.init), scores: c.expected.map { c.row[$0] })
            ])
    }

    /// Logits [2, −1, 0.1, 0]: σ = [0.881, 0.269, 0.525, 0.5], so classes 0, 2 and 3 (σ(0) = 0.5 ≥ 0.5).
    @Test func appliesSigmoidToLogits() throws {
        let logits: [Double] = [2, -1, 0.1, 0]
        let head = decoderTestHead(.multiHot, classes: 4, fromLogits: true) { $0.classLabel = ["a", "b", "c", "d"] }
        let prediction = try #require(
            try ThresholdDecoder(for: head).decode(decoderInput([logits.map(Float.init)])).first)
        #expect(prediction.labels == [0, 2, 3])
        #expect(prediction.names == ["a", "c", "d"])
        expectScores(prediction.scores, [referenceSigmoid(2), referenceSigmoid(0.1), 0.5])
    }

    /// A single binary label: an `[N]` output is `[N, 1]`.
    @Test func acceptsAVectorForOneClass() throws {
        let predictions = try ThresholdDecoder(for: decoderTestHead(.multiHot, classes: 1))
            .decode(Tensor(shape: [3], scalars: [0.7, 0.2, 0.5]))
        #expect(predictions.map(\.labels) == [[0], [], [0]])
    }

    @Test func rejectsWrongWidthAndBadSettings() throws {
        let decoder = try ThresholdDecoder(for: decoderTestHead(.multiHot, classes: 3))
        let width = decodeError { () throws(DecodeError) in _ = try decoder.decode(decoderInput([[0.1, 0.2]])) }
        #expect(
            width?.description
                == "head 'h' (THRESHOLD): output shape [1, 2] does not match [N, 3]: "
                + "one probability per class, 3 classes"
        )
        let vector = decodeError { () throws(DecodeError) in
            _ = try decoder.decode(Tensor(shape: [3], scalars: [0, 0, 0]))
        }
        #expect(vector?.description.contains("output shape [3] does not match [N, 3]") == true)
        let thresholds = decodeError { () throws(DecodeError) in
            _ = try ThresholdDecoder(for: decoderTestHead(.multiHot, classes: 3) { $0.decoder.classThreshold = [0.5] })
        }
        #expect(
            thresholds?.description
                == "head 'h' (THRESHOLD): decoder.class_threshold: has 1 values, but the head has 3 classes")
        let cap = decodeError { () throws(DecodeError) in
            _ = try ThresholdDecoder(for: decoderTestHead(.multiHot, classes: 3) { $0.decoder.maxLabels = -2 })
        }
        #expect(cap?.code == "decode.configuration")
        let nan = decodeError { () throws(DecodeError) in _ = try ThresholdDecoder(threshold: .nan) }
        #expect(nan?.description.contains("decoder.threshold: is nan") == true)
    }
}
