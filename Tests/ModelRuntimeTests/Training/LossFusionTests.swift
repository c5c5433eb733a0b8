import Foundation
import ModelCompiler
import ModelFormat
import Testing

@testable import ModelRuntime

/// The loss fusions: Softmax → categorical CE, LogSoftmax → NLL and Sigmoid → BCE on
/// probabilities become the fused forms on logits at -O1/-O2. The test shows the rewiring (the
/// HeadLoss reads the logits, with the fused kind) and that -O0 and -O2 give the same loss and
/// weight gradients: within 1e-5 relative (float32 reorderings), since no probability here
/// comes near the 1e-7 clip where the two forms differ by design.
@Suite struct LossFusionTests {
    static let cases: [(activation: String, head: String, fusedKind: ProtoLoss.Kind, target: String)] = [
        (
            "Softmax",
            "encoding { kind: SOFT_MULTI_LABEL num_classes: 4 } loss { kind: CATEGORICAL_CROSS_ENTROPY class_weight: [1, 2, 1, 0.5] }",
            .softmaxCrossEntropy, "dense"
        ),
        (
            "LogSoftmax",
            "encoding { kind: ONE_HOT num_classes: 4 } loss { kind: NEGATIVE_LOG_LIKELIHOOD class_weight: [1, 2, 1, 0.5] }",
            .softmaxCrossEntropy, "index"
        ),
        (
            "Sigmoid",
            "encoding { kind: MULTI_HOT num_classes: 4 } loss { kind: BINARY_CROSS_ENTROPY pos_weight: [2, 1, 1, 3] }",
            .binaryCrossEntropy, "dense"
        ),
    ]

    @Test(arguments: 0..<3)
    func fusedLossMatchesUnfused(_ index: Int) throws {
        let (activation, head, fusedKind, target) = Self.cases[index]
        let model = try ProtoModel(
            textFormatString: """
                opset_version: 17
                graph {
                  name: "fusion"
                  input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
                  output { name: "p" elem_type: FLOAT dim { param: "N" } dim { value: 4 } }
                  node { op_type: "Gemm" input: "x" input: "w" output: "z" attribute { name: "transB" i: 1 } }
                  node { op_type: "\(activation)" input: "z" output: "p" attribute { name: "axis" i: 1 } }
                  initializer { name: "w" data_type: FLOAT dims: 4 dims: 3 init { kind: GLOROT_UNIFORM } }
                }
                head { name: "h" output: "p" target: "t" \(head) }
                training { seed: 5 }
                """.replacingOccurrences(
                    of: #"node { op_type: "Sigmoid" input: "z" output: "p" attribute { name: "axis" i: 1 } }"#,
                    with: #"node { op_type: "Sigmoid" input: "z" output: "p" }"#))
        let fused = try TrainingCompiler(optimization: .O2).compile(model)
        let plain = try TrainingCompiler(optimization: .O0).compile(model)
        func loss(_ program: TrainingProgram) throws -> Node {
            try #require(program.graph.nodes.first { $0.op == .headLoss })
        }
        let fusedNode = try loss(fused)
        let fusedSettings = try LossAttributes(fusedNode.attributes, hasSampleWeight: false)
        #expect(fusedSettings.kind == fusedKind && fusedSettings.fromLogits)
        #expect(fused.graph[try #require(fusedNode.inputs[0])].name == "z")
        #expect(plain.graph[try #require(try loss(plain).inputs[0])].name == "p")

        let x = Tensor(shape: [5, 3], scalars: (0..<15).map { Float(sin(Double($0) * 0.7)) })
        let t: Tensor =
            target == "index"
            ? Tensor(shape: [5], int64s: [0, 3, 1, 2, 1])
            : Tensor(shape: [5, 4], scalars: (0..<20).map { $0 % 3 == 0 ? (activation == "Softmax" ? 0.5 : 1) : 0 })
        var results: [[Float]] = []
        for level in [OptimizationLevel.O0, .O2] {
            let session = try TrainingSession(model: model, optimization: level)
            let step = try session.step(
                ["x": x, try #require(session.training.targets[0]): t], learningRate: 0, fetching: ["grad/w"])
            results.append([step.loss] + (try #require(step.values["grad/w"])).scalars)
        }
        #expect(results[0].count == 13 && results[1].count == 13, "the loss and 4×3 weight gradients")
        for (a, b) in zip(results[0], results[1]) {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "\(activation): O0 \(a), O2 \(b)")
        }
    }
}
