import Foundation
import ModelFormat

/// Text-format models that pass the structural checks but carry an attribute or shape that no
/// kernel can execute as written (issue 13's crashers), shared by the compiler, runtime and
/// CLI tests. Each has input `x` [N, ...] and output `y`.
public enum HostileModels {
    /// A graph with input `x` of `inputDims` (strings are symbols), `nodes` and `initializers`.
    public static func text(inputDims: [any Sendable], nodes: String, initializers: String = "") -> String {
        let dims = inputDims.map { dim in
            if let name = dim as? String { return "dim { param: \"\(name)\" }" }
            return "dim { value: \(dim) }"
        }
        return """
            opset_version: 17
            graph {
              name: "hostile"
              input { name: "x" \(dims.joined(separator: " ")) }
              output { name: "y" unknown_rank: true }
              \(nodes)
              \(initializers)
            }
            """
    }

    /// Gemm y = x·Wᵀ with `transB` set to `transB` (x [N,4], W [3,4]).
    public static func gemm(transB: Int64, transA: Int64 = 0) -> String {
        let weights = (0..<12).map { String(Double($0) / 10) }.joined(separator: ", ")
        return text(
            inputDims: ["N", 4],
            nodes: """
                node { name: "fc" op_type: "Gemm" input: ["x", "W"] output: "y"
                  attribute { name: "transA" i: \(transA) } attribute { name: "transB" i: \(transB) } }
                """,
            initializers: "initializer { name: \"W\" dims: [3, 4] float_data: [\(weights)] }")
    }

    /// x [N,4] reshaped to `shape` (e.g. [2^62, 4, 2^40]).
    public static func reshape(to shape: [Int64]) -> String {
        text(
            inputDims: ["N", 4],
            nodes: "node { name: \"r\" op_type: \"Reshape\" input: [\"x\", \"s\"] output: \"y\" }",
            initializers: """
                initializer { name: "s" data_type: INT64 dims: \(shape.count) \
                int64_data: [\(shape.map(String.init).joined(separator: ", "))] }
                """)
    }

    /// MaxPool 2×2 over x [N,1,4,4] with the given attribute lines.
    public static func maxPool(_ attributes: String, inputDims: [any Sendable] = ["N", 1, 4, 4]) -> String {
        text(
            inputDims: inputDims,
            nodes: """
                node { name: "pool" op_type: "MaxPool" input: "x" output: "y"
                  attribute { name: "kernel_shape" ints: [2, 2] } \(attributes) }
                """)
    }

    /// Conv 1→1 channel, 3×3 kernel of ones, over x [N,1,5,5] with the given attribute lines.
    public static func conv(_ attributes: String) -> String {
        text(
            inputDims: ["N", 1, 5, 5],
            nodes: "node { name: \"conv\" op_type: \"Conv\" input: [\"x\", \"W\"] output: \"y\" \(attributes) }",
            initializers: "initializer { name: \"W\" dims: [1, 1, 3, 3] float_data: [1, 1, 1, 1, 1, 1, 1, 1, 1] }")
    }

    /// `source` parsed as a text model.
    public static func parse(_ source: String, name: String = "hostile.pbtxt") throws -> ProtoModel {
        try ProtoModel(serialized: Data(source.utf8), format: .text, fileName: name)
    }
}
