import Foundation
import ModelCompiler
import ModelFormat
import Testing

@testable import ModelRuntime

/// Dropout in training graphs: Y = X·M with M = 0 with probability `ratio` and 1/(1 − ratio)
/// otherwise, a new mask each step; the evaluation graph keeps the identity.
@Suite struct DropoutTrainingTests {
    static let model = """
        opset_version: 17
        graph {
          name: "dropout"
          input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 50 } }
          output { name: "y" elem_type: FLOAT dim { param: "N" } dim { value: 50 } }
          node { op_type: "Mul" input: "x" input: "s" output: "h" }
          node { name: "drop" op_type: "Dropout" input: "h" input: "ratio" output: "y" }
          initializer { name: "s" data_type: FLOAT dims: 50 init { kind: ONES } }
          initializer { name: "ratio" data_type: FLOAT float_data: 0.25 }
        }
        head { name: "r" output: "y" target: "t" encoding { kind: REAL num_classes: 50 } loss { kind: MEAN_SQUARED_ERROR } }
        training { seed: 11 frozen: "ratio" }
        """

    @Test func masksDropTheRatioAndScaleTheRest() throws {
        let session = try TrainingSession(model: try ProtoModel(textFormatString: Self.model))
        #expect(session.training.graph.nodes.contains { $0.op == .dropoutMask })
        #expect(!session.evaluation.graph.nodes.contains { $0.op == .dropoutMask })
        let target = try #require(session.training.targets[0])
        let feeds = [
            "x": Tensor(shape: [80, 50], scalars: [Float](repeating: 1, count: 4000)), target: Tensor(zeros: [80, 50]),
        ]
        let maskName = try #require(session.training.graph.values.first { $0.name.hasSuffix("dropout_mask") }).name
        var masks: [[Float]] = []
        for _ in 0..<2 {
            let step = try session.step(feeds, learningRate: 0, fetching: [maskName, "y"])
            let mask = try #require(step.values[maskName]).scalars
            let y = try #require(step.values["y"]).scalars
            // 4000 Bernoulli(0.25) draws: the dropped fraction has standard deviation ≈ 0.007,
            // so 0.25 ± 0.035 is a 5-sigma band.
            let dropped = Double(mask.filter { $0 == 0 }.count) / Double(mask.count)
            #expect(abs(dropped - 0.25) < 0.035, "dropped \(dropped)")
            #expect(mask.allSatisfy { $0 == 0 || abs($0 - 1 / 0.75) < 1e-6 })
            #expect(y == mask, "x = 1 and s = 1, so y is the mask")
            masks.append(mask)
        }
        #expect(masks[0] != masks[1], "each step draws a new mask")
        // Not the previous mask moved by one element (what seeding with seed + step·γ gave).
        #expect(Array(masks[1].dropLast()) != Array(masks[0].dropFirst()))
        // Evaluation leaves the input unchanged.
        let evaluated = try #require(session.evaluate(feeds, fetching: ["y"])["y"]).scalars
        #expect(evaluated.allSatisfy { $0 == 1 })
    }
}

/// Values the compiler adds to a training graph get unique names, also for unnamed nodes of
/// one op (their gradient names derive from op and position), so the graph can be written out.
@Suite struct TrainingGraphNamingTests {
    @Test func unnamedNodesOfOneOpGiveUniqueGradientNames() throws {
        let model = try ProtoModel(
            textFormatString: """
                opset_version: 17
                graph {
                  name: "twice"
                  input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
                  output { name: "y" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
                  node { op_type: "Mul" input: "x" input: "s" output: "a" }
                  node { op_type: "Relu" input: "a" output: "b" }
                  node { op_type: "Mul" input: "b" input: "s" output: "c" }
                  node { op_type: "Relu" input: "c" output: "y" }
                  initializer { name: "s" data_type: FLOAT dims: 3 float_data: [0.5, 1, 2] }
                }
                head { name: "r" output: "y" target: "t" encoding { kind: REAL num_classes: 3 } loss { kind: MEAN_SQUARED_ERROR } }
                """)
        let program = try TrainingCompiler().compile(model)
        let names = program.graph.values.map(\.name)
        #expect(Set(names).count == names.count, "duplicate value names: \(names)")
        #expect(program.graph.nodes.filter { $0.op == .activationGrad }.count == 2)
    }
}
