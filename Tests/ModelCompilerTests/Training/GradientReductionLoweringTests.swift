import ModelFormat
import Testing

@testable import ModelCompiler

/// Where the all-reduce sits in a data-parallel training graph, and how gradients are bucketed.
@Suite struct GradientReductionLoweringTests {
    /// A 4-16-3 MLP: gradients of 64, 16, 48 and 3 floats (w1, b1, w2, b2).
    static let model = """
        opset_version: 17
        graph {
          name: "mlp"
          input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 4 } }
          output { name: "y" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
          node { op_type: "Gemm" input: "x" input: "w1" input: "b1" output: "h" }
          node { op_type: "Relu" input: "h" output: "r" }
          node { op_type: "Gemm" input: "r" input: "w2" input: "b2" output: "y" }
          initializer { name: "w1" data_type: FLOAT dims: 4 dims: 16 init { kind: GLOROT_UNIFORM } }
          initializer { name: "b1" data_type: FLOAT dims: 16 init { kind: ZEROS } }
          initializer { name: "w2" data_type: FLOAT dims: 16 dims: 3 init { kind: GLOROT_UNIFORM } }
          initializer { name: "b2" data_type: FLOAT dims: 3 init { kind: ZEROS } }
        }
        head {
          name: "c" output: "y" target: "t" encoding { kind: ONE_HOT num_classes: 3 }
          loss { kind: SOFTMAX_CROSS_ENTROPY from_logits: true }
        }
        training { optimizer { kind: SGD learning_rate: 0.1 } gradient_clip_norm: 1 }
        """

    static func compile(bucketBytes: Int?) throws -> TrainingProgram {
        try TrainingCompiler(allReduceBucketBytes: bucketBytes).compile(ProtoModel(textFormatString: model))
    }

    /// Bucket caps against the gradient sizes in bytes (b2 12, w2 192, b1 64, w1 256, filled
    /// from the last parameter): the expected node count, each bucket's tensor count, loss first.
    @Test(arguments: [(1 << 20, [5]), (300, [4, 1]), (200, [2, 1, 1, 1]), (1, [2, 1, 1, 1])])
    func bucketsFollowTheCap(bucketBytes: Int, inputsPerBucket: [Int]) throws {
        let program = try Self.compile(bucketBytes: bucketBytes)
        let graph = program.graph
        let reduces = graph.nodes.filter { $0.op == .allReduce }
        // Each node reads W then its tensors; the loss rides in the first.
        #expect(reduces.map { $0.inputs.count - 1 } == inputsPerBucket)
        #expect(reduces.allSatisfy { $0.inputs.first.flatMap { $0 }.map { graph[$0].name } == "train/reduce_weight" })
        #expect(reduces.first?.inputs[1].map { graph[$0].name } == program.loss)
        #expect(program.reducedLoss == reduces.first?.outputs[0].map { graph[$0].name })
    }

    /// The optimiser and the clip factor read only reduced gradients; the update's loss gate
    /// reads the reduced loss; without a bucket cap there is no all-reduce at all.
    @Test func updatesAndClippingReadReducedGradients() throws {
        let program = try Self.compile(bucketBytes: 1 << 20)
        let graph = program.graph
        let reducedNames = Set(
            graph.nodes.filter { $0.op == .allReduce }.flatMap { $0.outputs.compactMap { $0.map { graph[$0].name } } })
        let steps = graph.nodes.filter { $0.op == .optimizerStep }
        #expect(steps.count == 4)
        for step in steps {
            #expect(step.inputs[1].map { reducedNames.contains(graph[$0].name) } == true)
            #expect(step.inputs.last.flatMap { $0 }.map { graph[$0].name } == program.reducedLoss)
        }
        let clip = try #require(graph.nodes.first { $0.op == .gradientNormScale })
        #expect(clip.inputs.allSatisfy { $0.map { reducedNames.contains(graph[$0].name) } == true })
        let single = try Self.compile(bucketBytes: nil)
        #expect(!single.graph.nodes.contains { $0.op == .allReduce })
        #expect(single.reducedLoss == nil)
    }
}
