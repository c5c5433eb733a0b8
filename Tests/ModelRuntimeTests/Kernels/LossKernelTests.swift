import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

@Suite struct LossKernelTests {
    /// The fixture file holds every op family it is written for (an empty or cut file would
    /// make the parameterised test below pass with no cases).
    @Test func fixtureLoadsWithEveryFamily() throws {
        let cases = try KernelFixtureCase.load("misc_loss.json")
        #expect(Set(cases.map(\.op)) == ["NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss"])
        #expect(cases.count == 25)
    }

    @Test(arguments: try KernelFixtureCase.load("misc_loss.json"))
    func matchesReference(_ fixture: KernelFixtureCase) throws {
        try fixture.check()
    }

    /// Pixel-wise scores [N, C, d] = [2, 3, 2], labels [2, 2] with one ignored target, weights [3].
    static let scores: [Float] = [0.5, -1, 2, 0.25, -0.5, 3, 1.5, 0, -2, 1, 0.75, -0.25]
    static let labels: [Int64] = [2, 0, -1, 1]
    static let weights: [Float] = [0.5, 2, 1.5]

    /// log_softmax over the class axis of `scores`, in Double, indexed [n][c][d].
    static func logSoftmax() -> [[[Double]]] {
        (0..<2).map { n in
            let columns = (0..<2).map { d in (0..<3).map { c in Double(scores[(n * 3 + c) * 2 + d]) } }
            let logSums = columns.map { column in Foundation.log(column.map { Foundation.exp($0) }.reduce(0, +)) }
            return (0..<3).map { c in (0..<2).map { d in columns[d][c] - logSums[d] } }
        }
    }

    /// The ONNX definition written out: mean = Σ w_t·(−log p_t) / Σ w_t over targets ≠ ignore_index.
    @Test(arguments: ["mean", "sum", "none"])
    func softmaxCrossEntropyMatchesItsFormula(reduction: String) throws {
        let logP = Self.logSoftmax()
        var losses: [Double] = []
        var weightSum = 0.0
        for n in 0..<2 {
            for d in 0..<2 {
                let t = Self.labels[n * 2 + d]
                guard t != -1 else {
                    losses.append(0)
                    continue
                }
                let w = Double(Self.weights[Int(t)])
                losses.append(-w * logP[n][Int(t)][d])
                weightSum += w
            }
        }
        let outputs = try runOneNode(
            "SoftmaxCrossEntropyLoss",
            inputs: [
                ("scores", Tensor(shape: [2, 3, 2], scalars: Self.scores)),
                ("labels", Tensor(shape: [2, 2], int64s: Self.labels)),
                ("weights", Tensor(shape: [3], scalars: Self.weights)),
            ],
            attributes: [attribute("ignore_index", i: -1), attribute("reduction", s: reduction)], outputs: 2)
        let want: [Double]
        switch reduction {
        case "mean": want = [losses.reduce(0, +) / weightSum]
        case "sum": want = [losses.reduce(0, +)]
        default: want = losses
        }
        #expect(outputs[0].shape == (reduction == "none" ? [2, 2] : []))
        // Float32 log-sum-exp of values of order 1: relative 1e-6 with an absolute floor.
        for (got, expected) in zip(outputs[0].scalars, want) {
            #expect(abs(Double(got) - expected) <= 1e-6 * abs(expected) + 1e-6)
        }
        let logProb = outputs[1].scalars
        for n in 0..<2 {
            for c in 0..<3 {
                for d in 0..<2 { #expect(abs(Double(logProb[(n * 3 + c) * 2 + d]) - logP[n][c][d]) <= 1e-6) }
            }
        }
    }

    /// NLL reads −w_t·input[n, t] directly; with no weights the mean divides by the targets kept.
    @Test func negativeLogLikelihoodMatchesItsFormula() throws {
        let input: [Float] = [-0.1, -2.5, -3, -1.2, -0.4, -2, -0.7, -1.1, -1.6]
        let labels: [Int64] = [0, 2, 1]
        let feeds = [("input", Tensor(shape: [3, 3], scalars: input)), ("labels", Tensor(shape: [3], int64s: labels))]
        let weights = Tensor(shape: [3], scalars: [2, 0.5, 4])
        let sum = try runOneNode(
            "NegativeLogLikelihoodLoss", inputs: feeds + [("w", weights)],
            attributes: [attribute("reduction", s: "sum")])[0]
        #expect(abs(sum.scalars[0] - (2 * 0.1 + 4 * 2 + 0.5 * 1.1)) < 1e-5)
        let mean = try runOneNode(
            "NegativeLogLikelihoodLoss", inputs: feeds, attributes: [attribute("ignore_index", i: 2)])[0]
        #expect(abs(mean.scalars[0] - (0.1 + 1.1) / 2) < 1e-6)
    }

    /// Logits of ±10⁴ overflow exp in float32; the max-shifted form stays finite.
    @Test func largeLogitsStayFinite() throws {
        let outputs = try runOneNode(
            "SoftmaxCrossEntropyLoss",
            inputs: [
                ("scores", Tensor(shape: [2, 3], scalars: [1e4, 0, -1e4, -1e4, -1e4, 1e4])),
                ("labels", Tensor(shape: [2], int64s: [1, 2])),
            ],
            attributes: [attribute("reduction", s: "none")], outputs: 2)
        #expect(outputs[0].scalars == [1e4, 0])
        #expect(outputs[1].scalars.allSatisfy { $0.isFinite })
    }

    /// A fed label outside 0..<C (and not ignore_index) cannot fail the run: its loss is NaN,
    /// so a reduced loss is NaN too, and the other targets are unaffected.
    @Test(arguments: ["SoftmaxCrossEntropyLoss", "NegativeLogLikelihoodLoss"])
    func outOfRangeFedLabelsGiveNaN(op: String) throws {
        let scores = Tensor(shape: [3, 2], scalars: [-0.5, -1, -2, -0.1, -0.3, -0.7])
        let labels = Tensor(shape: [3], int64s: [0, 2, -7])
        let none = try runOneNode(
            op, inputs: [("scores", scores), ("labels", labels)], attributes: [attribute("reduction", s: "none")])[0]
        #expect(!none.scalars[0].isNaN)
        #expect(none.scalars[1].isNaN && none.scalars[2].isNaN)
        let mean = try runOneNode(op, inputs: [("scores", scores), ("labels", labels)])[0]
        #expect(mean.scalars[0].isNaN)
        // ignore_index takes precedence over the range check.
        let ignored = try runOneNode(
            op, inputs: [("scores", scores), ("labels", Tensor(shape: [3], int64s: [0, -7, -7]))],
            attributes: [attribute("ignore_index", i: -7)])[0]
        #expect(ignored.scalars[0].isFinite)
    }

    @Test func outOfRangeConstantLabelsAreABindError() throws {
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(
                "SoftmaxCrossEntropyLoss",
                inputs: [("scores", Tensor(shape: [2, 3], scalars: Array(repeating: 0, count: 6)))],
                constants: [("labels", Tensor(shape: [2], int64s: [1, 3]))])
        }
        #expect(error.code == "runtime.bind")
        #expect(error.description.hasPrefix("SoftmaxCrossEntropyLoss 'n': label 3 is out of range for 3 classes"))
    }

    @Test func unknownReductionSurfacesFromShapeInference() throws {
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(
                "SoftmaxCrossEntropyLoss",
                inputs: [
                    ("scores", Tensor(shape: [2, 3], scalars: Array(repeating: 0, count: 6))),
                    ("labels", Tensor(shape: [2], int64s: [0, 1])),
                ],
                attributes: [attribute("reduction", s: "average")])
        }
        #expect(error.code == "runtime.compile")
        #expect(error.description.contains("SoftmaxCrossEntropyLoss 'n'"))
    }
}
