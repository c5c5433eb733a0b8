import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// Evaluation compiles forward and losses only, so models without trainable weights evaluate.
@Suite struct EvaluatorTests {
    /// No weights at all: the graph passes class probabilities given as input `p` to the head.
    static let scorer = """
        opset_version: 17
        graph {
          name: "scorer"
          input { name: "p" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
          output { name: "probs" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
          node { op_type: "Identity" input: "p" output: "probs" }
        }
        head {
          name: "h" output: "probs" target: "label" encoding { kind: ONE_HOT num_classes: 3 }
          loss { kind: CATEGORICAL_CROSS_ENTROPY epsilon: 1e-7 } decoder { kind: ARGMAX } metric: [ACCURACY]
        }
        """

    @Test func scoresPredictionsGivenAsAnInput() throws {
        let model = try ProtoModel(textFormatString: Self.scorer)
        let p: [[Float]] = [[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4], [0.5, 0.25, 0.25], [0.2, 0.2, 0.6]]
        let labels: [Int64] = [0, 1, 0, 2, 2]
        let data = try Dataset(arrays: [
            "p": Tensor(shape: [5, 3], scalars: p.flatMap { $0 }), "label": Tensor(shape: [5], int64s: labels),
        ])
        // Batches of 2 (2 + 2 + 1) exercise the sample-weighted combination of batch means.
        let report = try Evaluator(model, batchSize: 2).evaluate(data)
        // Keras categorical cross-entropy: −mean log p[label] (no probability is near the clip).
        let expected = -zip(p, labels).map { row, label in log(Double(row[Int(label)])) }.reduce(0, +) / 5
        #expect(abs(report.loss - expected) < 1e-6, "loss \(report.loss), expected \(expected)")
        // Arg-max predictions 0, 1, 2, 0, 2 against 0, 1, 0, 2, 2: three of five right.
        #expect(report.heads["h"]?.first { $0.metric == "accuracy" }?.value == 0.6)
        #expect(report.samples == 5)
    }

    @Test func frozenModelEvaluatesButDoesNotTrain() throws {
        let model = try ProtoModel(
            textFormatString: """
                opset_version: 17
                graph {
                  name: "frozen"
                  input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 2 } }
                  output { name: "y" elem_type: FLOAT dim { param: "N" } dim { value: 2 } }
                  node { op_type: "Gemm" input: "x" input: "w" output: "y" }
                  initializer { name: "w" data_type: FLOAT dims: 2 dims: 2 float_data: [1, 0, 0, 1] }
                }
                head { name: "r" output: "y" target: "t" encoding { kind: REAL num_classes: 2 } loss { kind: MEAN_SQUARED_ERROR } }
                training { frozen: "w" }
                """)
        let data = try Dataset(arrays: [
            "x": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), "t": Tensor(shape: [2, 2], scalars: [1, 2, 3, 2]),
        ])
        // y = x (identity weights); one element is off by 2: MSE = 4 / 4 elements.
        #expect(abs(try Evaluator(model).evaluate(data).loss - 1) < 1e-9)
        #expect {
            try Trainer(model, data: data)
        } throws: { error in
            guard case .runtime(.compile(let diagnostics))? = error as? TrainingError else { return false }
            return diagnostics.map(\.code) == ["train.no-parameters"]
        }
    }

    /// Evaluation shows the head lints but not the training section's findings.
    @Test func evaluatorWarningsLeaveOutTheTrainingSection() throws {
        var model = try ProtoModel(textFormatString: Self.scorer)
        model.training.optimizer.kind = .adam
        model.training.optimizer.momentum = 0.9  // training.unused-field
        model.head[0].metric = []
        model.head[0].encoding.kind = .multiHot
        model.head[0].loss.kind = .binaryCrossEntropy
        model.head[0].loss.epsilon = 1e-7
        model.head[0].decoder.kind = .threshold
        model.head[0].metric = [.accuracy]  // head.accuracy-only-multi-label
        let evaluator = try Evaluator(model)
        #expect(evaluator.diagnostics.map(\.code) == ["head.accuracy-only-multi-label"])
        #expect(evaluator.session.evaluation.diagnostics.map(\.code).contains("training.unused-field"))
    }

    @Test func evaluationOnlySessionDoesNotStep() throws {
        let session = try TrainingSession(model: ProtoModel(textFormatString: Self.scorer), purpose: .evaluation)
        #expect(session.training.parameters.isEmpty)
        #expect(throws: RuntimeError.self) { try session.step([:], learningRate: 0.1) }
    }
}
