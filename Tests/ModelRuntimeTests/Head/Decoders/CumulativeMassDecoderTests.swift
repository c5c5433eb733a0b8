import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

@Suite struct CumulativeMassDecoderTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let mass: Float
        let maxLabels: Int64
        let row: [Float]
        let expected: [Int]
        var testDescription: String { name }
    }

    /// Probabilities in; classes by decreasing probability until the running sum reaches `mass`.
    static let cases: [Case] = [
        // 0.6 → 0.9 → 0.96 ≥ 0.95: the class crossing the mark is included.
        .init(name: "default 0.95", mass: 0, maxLabels: 0, row: [0.6, 0.3, 0.06, 0.04], expected: [0, 1, 2]),
        // A SOFT_MULTI_LABEL output near 1/3 targets: 0.33 + 0.32 + 0.31 = 0.96.
        .init(name: "three of four", mass: 0, maxLabels: 0, row: [0.32, 0.33, 0.31, 0.04], expected: [1, 0, 2]),
        .init(name: "one label is enough", mass: 0.5, maxLabels: 0, row: [0.1, 0.6, 0.3], expected: [1]),
        .init(name: "reaching mass exactly stops", mass: 0.5, maxLabels: 0, row: [0.25, 0.25, 0.5], expected: [2]),
        .init(name: "tie goes to the lower index", mass: 0.6, maxLabels: 0, row: [0.3, 0.4, 0.3], expected: [1, 0]),
        .init(name: "max_labels caps", mass: 0.99, maxLabels: 2, row: [0.4, 0.3, 0.2, 0.1], expected: [0, 1]),
        .init(name: "mass 1 leaves zero classes out", mass: 1, maxLabels: 0, row: [0.5, 0.5, 0], expected: [0, 1]),
        .init(name: "mass never reached: all classes", mass: 0, maxLabels: 0, row: [0.2, 0.1], expected: [0, 1]),
    ]

    @Test(arguments: cases)
    func decodesProbabilities(_ c: Case) throws {
        let head = decoderTestHead(.softMultiLabel, classes: Int64(c.row.count)) {
            $0.decoder.mass = c.mass
            $0.decoder.maxLabels = c.maxLabels
        }
        let prediction = try CumulativeMassDecoder(for: head).decode(decoderInput([c.row]))
        #expect(
            prediction == [
                Prediction(labels: c.expected, names: c.expected.map(String.init), scores: c.expected.map { c.row[$0] })
            ])
    }

    /// Logits [ln 6, ln 3, ln 1]: softmax = [6, 3, 1] / 10 = [0.6, 0.3, 0.1]; mass 0.85 takes two.
    @Test func appliesSoftmaxToLogits() throws {
        let logits = [log(6.0), log(3.0), log(1.0)]
        let head = decoderTestHead(.softMultiLabel, classes: 3, fromLogits: true) { $0.decoder.mass = 0.85 }
        let prediction = try #require(
            try CumulativeMassDecoder(for: head).decode(decoderInput([logits.map(Float.init)])).first)
        let p = referenceSoftmax(logits)
        #expect(prediction.labels == [0, 1])
        expectScores(prediction.scores, [p[0], p[1]])
        expectScores(prediction.scores, [0.6, 0.3])
    }

    /// Softmax rows sum to 1 only within rounding; mass 1 must still stop before the zero tail.
    @Test func massOneStopsAtTheLastNonzeroClass() throws {
        let decoder = try CumulativeMassDecoder(classes: 4, fromLogits: true, mass: 1)
        let prediction = try decoder.decode(decoderInput([[0.1, 0.7, 0.3, -.infinity]]))
        #expect(prediction.first?.labels == [1, 2, 0])
    }

    @Test func rejectsBadMassAndShapes() throws {
        for mass: Float in [-0.5, 1.5, .nan] {
            let error = decodeError { () throws(DecodeError) in
                _ = try CumulativeMassDecoder(
                    for: decoderTestHead(.softMultiLabel, classes: 3) { $0.decoder.mass = mass })
            }
            #expect(
                error?.description
                    == "head 'h' (CUMULATIVE_MASS): decoder.mass: is \(mass), "
                    + "but must be in (0, 1] (a share of probability)"
            )
        }
        let decoder = try CumulativeMassDecoder(for: decoderTestHead(.softMultiLabel, classes: 3))
        let vector = decodeError { () throws(DecodeError) in
            _ = try decoder.decode(Tensor(shape: [3], scalars: [1, 0, 0]))
        }
        #expect(
            vector?.description
                == "head 'h' (CUMULATIVE_MASS): output shape [3] does not match [N, 3]: "
                + "one probability per class, 3 classes"
        )
    }
}
