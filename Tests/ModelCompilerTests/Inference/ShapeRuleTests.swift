import Foundation
import ModelFormat
import Testing

@testable import ModelCompiler

/// Shape rules against hand-derived shapes (ONNX operator documentation formulas), including
/// the failure messages.
@Suite struct ShapeRuleTests {
    private static let n = Dim.symbol("N")

    private static func f(_ dims: Dim...) -> TensorType { .float(dims) }

    private static func attribute(_ name: String, i: Int? = nil, ints: [Int]? = nil, s: String? = nil) -> ProtoAttribute {
        var attribute = ProtoAttribute()
        attribute.name = name
        if let i { attribute.i = Int64(i) }
        if let ints { attribute.ints = ints.map { Int64($0) } }
        if let s { attribute.s = Data(s.utf8) }
        return attribute
    }

    private static func infer(
        _ op: OpType, _ inputs: [TensorType?], _ attributes: [ProtoAttribute] = [], constants: [Int: [Int64]] = [:],
        outputs: Int = 1
    ) throws(ShapeError) -> [TensorType] {
        let context = InferenceContext(
            op: op, inputs: inputs, attributes: Attributes(attributes), constants: constants, outputCount: outputs)
        guard let schema = OpRegistry.schema(op) else { throw ShapeError("test", "no schema") }
        return try schema.inferTypes(context)
    }

    static let successes: [(String, @Sendable () throws -> [TensorType], [TensorType])] = [
        ("Gemm transB", { try infer(.gemm, [f(n, 64), f(32, 64), f(32)], [attribute("transB", i: 1)]) }, [f(n, 32)]),
        ("Gemm transA", { try infer(.gemm, [f(64, n), f(64, 10)], [attribute("transA", i: 1)]) }, [f(n, 10)]),
        ("MatMul batched broadcast", { try infer(.matMul, [f(2, 1, 3, 4), f(5, 4, 6)]) }, [f(2, 5, 3, 6)]),
        ("MatMul vector", { try infer(.matMul, [f(4), f(n, 4, 6)]) }, [f(n, 6)]),
        ("Add broadcast", { try infer(.add, [f(n, 3, 1), f(4)]) }, [f(n, 3, 4)]),
        // (8 + 1 + 1 - 3) / 1 + 1 = 8; with stride 2 and no pads: (8 - 3) / 2 + 1 = 3.
        ("Conv same size", { try infer(.conv, [f(n, 1, 8, 8), f(4, 1, 3, 3)], [attribute("pads", ints: [1, 1, 1, 1])]) }, [f(n, 4, 8, 8)]),
        ("Conv stride 2", { try infer(.conv, [f(n, 3, 8, 8), f(6, 3, 3, 3)], [attribute("strides", ints: [2, 2])]) }, [f(n, 6, 3, 3)]),
        ("Conv groups", { try infer(.conv, [f(n, 4, 5, 5), f(8, 2, 1, 1)], [attribute("group", i: 2)]) }, [f(n, 8, 5, 5)]),
        ("Conv SAME_UPPER", { try infer(.conv, [f(1, 1, 7, 7), f(1, 1, 3, 3)], [attribute("auto_pad", s: "SAME_UPPER"), attribute("strides", ints: [2, 2])]) }, [f(1, 1, 4, 4)]),
        // ceil((5 - 2) / 2) + 1 = 3 with ceil_mode, floor → 2 without.
        ("MaxPool ceil", { try infer(.maxPool, [f(n, 2, 5, 5)], [attribute("kernel_shape", ints: [2, 2]), attribute("strides", ints: [2, 2]), attribute("ceil_mode", i: 1)]) }, [f(n, 2, 3, 3)]),
        // ceil((5 + 2 − 2) / 2) + 1 = 4, but the 4th window would start in the end padding: ONNX drops it.
        ("MaxPool ceil drops a window in the end padding", { try infer(.maxPool, [f(1, 1, 5, 5)], [attribute("kernel_shape", ints: [2, 2]), attribute("strides", ints: [2, 2]), attribute("pads", ints: [1, 1, 1, 1]), attribute("ceil_mode", i: 1)]) }, [f(1, 1, 3, 3)]),
        ("AveragePool floor", { try infer(.averagePool, [f(n, 2, 5, 5)], [attribute("kernel_shape", ints: [2, 2]), attribute("strides", ints: [2, 2])]) }, [f(n, 2, 2, 2)]),
        // 2·(4 − 1) + 0 + (3 − 1)·1 + 1 − 1 − 1 = 7.
        ("ConvTranspose", { try infer(.convTranspose, [f(n, 2, 4, 4), f(2, 3, 3, 3)], [attribute("strides", ints: [2, 2]), attribute("pads", ints: [1, 1, 1, 1])]) }, [f(n, 3, 7, 7)]),
        ("GlobalAveragePool", { try infer(.globalAveragePool, [f(n, 8, 5, 5)]) }, [f(n, 8, 1, 1)]),
        ("Flatten keeps N", { try infer(.flatten, [f(n, 4, 4, 4)]) }, [f(n, 64)]),
        ("Flatten negative axis", { try infer(.flatten, [f(2, 3, 4, 5)], [attribute("axis", i: -1)]) }, [f(24, 5)]),
        ("Flatten axis 0", { try infer(.flatten, [f(n, 4)], [attribute("axis", i: 0)]) }, [f(1, .product(4, "N"))]),
        ("Reshape -1 with N", { try infer(.reshape, [f(n, 4, 4), TensorType(.int64, [.fixed(2)])], constants: [1: [-1, 16]]) }, [f(n, 16)]),
        ("Reshape 0 copies", { try infer(.reshape, [f(n, 4, 4), TensorType(.int64, [.fixed(3)])], constants: [1: [0, 2, 8]]) }, [f(n, 2, 8)]),
        ("Transpose default", { try infer(.transpose, [f(n, 3, 5)]) }, [f(5, 3, n)]),
        ("Concat", { try infer(.concat, [f(n, 3), f(n, 5)], [attribute("axis", i: 1)]) }, [f(n, 8)]),
        ("Split equal", { try infer(.split, [f(n, 6)], [attribute("axis", i: 1)], outputs: 2) }, [f(n, 3), f(n, 3)]),
        ("Squeeze axes", { try infer(.squeeze, [f(n, 1, 3), TensorType(.int64, [.fixed(1)])], constants: [1: [1]]) }, [f(n, 3)]),
        ("Unsqueeze axes", { try infer(.unsqueeze, [f(n, 3), TensorType(.int64, [.fixed(2)])], constants: [1: [0, -1]]) }, [f(1, n, 3, 1)]),
        ("Gather embedding", { try infer(.gather, [f(100, 16), TensorType(.int64, [n, .fixed(7)])]) }, [f(n, 7, 16)]),
        ("ReduceMean keepdims", { try infer(.reduceMean, [f(n, 3, 4)], [attribute("axes", ints: [-1])]) }, [f(n, 3, 1)]),
        ("ReduceSum all", { try infer(.reduceSum, [f(n, 3)], [attribute("keepdims", i: 0)]) }, [f()]),
        ("ArgMax", { try infer(.argMax, [f(n, 10)], [attribute("axis", i: 1), attribute("keepdims", i: 0)]) }, [TensorType(.int64, [n])]),
        ("SoftmaxCrossEntropyLoss pixel-wise none", { try infer(.softmaxCrossEntropyLoss, [f(n, 3, 8, 8), TensorType(.int64, [n, .fixed(8), .fixed(8)])], [attribute("reduction", s: "none")]) }, [f(n, 8, 8)]),
        ("LayerNormalization stats", { try infer(.layerNormalization, [f(n, 5, 8), f(8)], outputs: 3) }, [f(n, 5, 8), f(n, 5, 1), f(n, 5, 1)]),
    ]

    @Test(arguments: successes.indices)
    func infersTheDocumentedShape(index: Int) throws {
        let (name, infer, expected) = Self.successes[index]
        #expect(try infer() == expected, "\(name)")
    }

    static let failures: [(@Sendable () throws -> [TensorType], String, String)] = [
        ({ try infer(.gemm, [f(n, 512), f(256, 10)]) }, "inner-dims", "inner dims differ: A is [N,512] (transA=0), B is [256,10] (transB=0)"),
        ({ try infer(.add, [f(n, 3), f(4)]) }, "broadcast", "shapes [N,3] and [4] do not broadcast"),
        ({ try infer(.conv, [f(n, 3, 8, 8), f(4, 2, 3, 3)]) }, "channels", "X has 3 channels but W expects 2 per group × group 1"),
        ({ try infer(.maxPool, [f(n, 1, 2, 2)], [attribute("kernel_shape", ints: [3, 3])]) }, "window-too-large", "fewer than the window of 3"),
        ({ try infer(.reshape, [f(2, 3), TensorType(.int64, [.fixed(1)])], constants: [1: [5]]) }, "reshape", "cannot reshape [2,3] (6 elements) to [5] (5 elements)"),
        ({ try infer(.softmax, [f(n, 3)], [attribute("axis", i: 2)]) }, "axis", "axis 2 is out of range for rank 2"),
        ({ try infer(.transpose, [f(2, 3)], [attribute("perm", ints: [0, 0])]) }, "perm", "perm [0, 0] is not a permutation"),
        ({ try infer(.split, [f(n, 5)], [attribute("axis", i: 1)], outputs: 2) }, "split", "does not divide into 2 equal parts"),
        ({ try infer(.concat, [f(n, 3), f(n, 3, 1)], [attribute("axis", i: 1)]) }, "concat-shapes", "input 1 [N,3,1] does not match"),
        ({ try infer(.softmaxCrossEntropyLoss, [f(n, 3), f(n)]) }, "labels-type", "labels must be INT64 or INT32"),
    ]

    @Test(arguments: failures.indices)
    func explainsWhatFailed(index: Int) {
        let (infer, rule, message) = Self.failures[index]
        #expect {
            _ = try infer()
        } throws: { error in
            guard let error = error as? ShapeError else { return false }
            return error.rule == rule && error.message.contains(message)
        }
    }
}
