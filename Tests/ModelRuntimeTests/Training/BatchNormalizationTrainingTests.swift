import Foundation
import ModelCompiler
import ModelFormat
import Testing

@testable import ModelRuntime

/// BatchNormalization in training graphs: batch statistics in the forward pass, running
/// statistics updated in place (momentum 0.9, biased batch variance, ONNX-15), and gradients of
/// the scale, bias and the weight before it that match finite differences of the training loss.
@Suite struct BatchNormalizationTrainingTests {
    static let text = """
        opset_version: 17
        graph {
          name: "bn"
          input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 2 } dim { value: 3 } dim { value: 3 } }
          output { name: "y" elem_type: FLOAT dim { param: "N" } dim { value: 18 } }
          node { op_type: "Mul" input: "x" input: "s" output: "h" }
          node { op_type: "BatchNormalization" input: "h" input: "gamma" input: "beta" input: "mean" input: "var" output: "b" }
          node { op_type: "Tanh" input: "b" output: "t" }
          node { op_type: "Flatten" input: "t" output: "y" }
          initializer { name: "s" data_type: FLOAT dims: 2 dims: 1 dims: 1 float_data: [0.7, 1.4] }
          initializer { name: "gamma" data_type: FLOAT dims: 2 float_data: [0.9, 1.2] }
          initializer { name: "beta" data_type: FLOAT dims: 2 float_data: [0.1, -0.2] }
          initializer { name: "mean" data_type: FLOAT dims: 2 init { kind: ZEROS } }
          initializer { name: "var" data_type: FLOAT dims: 2 init { kind: ONES } }
        }
        head { name: "r" output: "y" target: "t" encoding { kind: REAL num_classes: 18 } loss { kind: MEAN_SQUARED_ERROR } }
        training { seed: 1 }
        """

    @Test func runningStatisticsAndGradients() throws {
        let session = try TrainingSession(model: try ProtoModel(textFormatString: Self.text))
        #expect(session.training.statistics == ["mean", "var"])
        #expect(session.training.parameters.map(\.name).sorted() == ["beta", "gamma", "s"])
        let xValues = GradientCheckTests.values(72, -1...1, seed: 9)
        let feeds = [
            "x": Tensor(shape: [4, 2, 3, 3], scalars: xValues),
            try #require(session.training.targets[0]): Tensor(
                shape: [4, 18], scalars: GradientCheckTests.values(72, -1...1, seed: 10)),
        ]
        let step = try session.step(feeds, learningRate: 0, fetching: session.training.parameters.map(\.gradient))
        // Running statistics after one step: 0.9·initial + 0.1·(batch mean / biased variance of x·s).
        for (channel, factor) in [(0, 0.7), (1, 1.4)] {
            let values = (0..<4).flatMap { n in (0..<9).map { Double(xValues[(n * 2 + channel) * 9 + $0]) * factor } }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count)
            let runningMean = Double(try #require(session.store.tensor("mean")).scalars[channel])
            let runningVar = Double(try #require(session.store.tensor("var")).scalars[channel])
            #expect(abs(runningMean - 0.1 * mean) < 1e-6, "running mean \(channel)")
            #expect(abs(runningVar - (0.9 + 0.1 * variance)) < 1e-6, "running var \(channel)")
        }
        // Gradients against central differences of the training loss (batch statistics), with
        // the tolerance of GradientCheckTests (float32 loss, h = 1e-3).
        try GradientCheckTests.expectGradientsMatchFiniteDifferences(session, gradients: step.values) {
            Double(try session.step(feeds, learningRate: 0).loss)
        }
        // Evaluation uses the running statistics (inference form), not the batch's.
        #expect(!session.evaluation.graph.nodes.contains { $0.op == .batchNormalizationTrain })
    }

    @Test func frozenStatisticsKeepTheInferenceForm() throws {
        let frozen = Self.text.replacingOccurrences(
            of: "training { seed: 1 }", with: #"training { frozen: ["mean", "var"] }"#)
        let session = try TrainingSession(model: try ProtoModel(textFormatString: frozen))
        #expect(session.training.statistics.isEmpty)
        #expect(session.training.graph.nodes.contains { $0.op == .batchNormalization })
        #expect(session.training.parameters.map(\.name).sorted() == ["beta", "gamma", "s"])
    }
}
