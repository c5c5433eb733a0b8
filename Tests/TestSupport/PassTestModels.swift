import Foundation
import ModelFormat

/// Small models, one per optimisation pattern, shared by the pass tests (node counts) and the
/// runtime equivalence tests (O0 and O2 outputs agree). Weights come from seeded fillers.
public enum PassTestModels {
    /// Name → text-format model. Each has input `x` [N,8] (or [N,2,4,4] for the Conv ones)
    /// and output `y`.
    public static let all: [String: String] = [
        "matmul-add": graph(
            """
            node { name: "mm" op_type: "MatMul" input: ["x", "W"] output: "p" }
            node { name: "add" op_type: "Add" input: ["p", "b"] output: "y" }
            """, weights: [("W", [8, 6], "NORMAL"), ("b", [6], "NORMAL")], output: 6),
        "transpose-gemm": graph(
            """
            node { name: "t" op_type: "Transpose" input: "W" output: "Wt" attribute { name: "perm" ints: [1, 0] } }
            node { name: "fc" op_type: "Gemm" input: ["x", "Wt", "b"] output: "y" }
            """, weights: [("W", [6, 8], "NORMAL"), ("b", [6], "NORMAL")], output: 6),
        "gemm-batchnorm-relu": graph(
            """
            node { name: "fc" op_type: "Gemm" input: ["x", "W", "b"] output: "h" attribute { name: "transB" i: 1 } }
            node { name: "bn" op_type: "BatchNormalization" input: ["h", "s", "beta", "mean", "var"] output: "hn" }
            node { name: "act" op_type: "Relu" input: "hn" output: "y" }
            """,
            weights: [("W", [6, 8], "NORMAL"), ("b", [6], "NORMAL"), ("s", [6], "UNIFORM_POSITIVE"),
                      ("beta", [6], "NORMAL"), ("mean", [6], "NORMAL"), ("var", [6], "UNIFORM_POSITIVE")], output: 6),
        "identity-dropout": graph(
            """
            node { name: "id" op_type: "Identity" input: "x" output: "a" }
            node { name: "drop" op_type: "Dropout" input: "a" output: "b2" }
            node { name: "fc" op_type: "Gemm" input: ["b2", "W"] output: "y" }
            """, weights: [("W", [8, 4], "NORMAL")], output: 4),
        "common-subexpressions": graph(
            """
            node { name: "s1" op_type: "Sigmoid" input: "x" output: "a" }
            node { name: "s2" op_type: "Sigmoid" input: "x" output: "b2" }
            node { name: "sum" op_type: "Add" input: ["a", "b2"] output: "y" }
            """, weights: [], output: 8),
        "reshape-chain": graph(
            """
            node { name: "r1" op_type: "Reshape" input: ["x", "s1"] output: "a" }
            node { name: "r2" op_type: "Flatten" input: "a" output: "f" }
            node { name: "act" op_type: "Tanh" input: "f" output: "y" }
            """, weights: [], integerWeights: [("s1", [-1, 2, 4])], output: 8),
        "constant-folding": graph(
            """
            node { name: "scale" op_type: "Mul" input: ["W", "k"] output: "Wk" }
            node { name: "fc" op_type: "MatMul" input: ["x", "Wk"] output: "y" }
            """, weights: [("W", [8, 3], "NORMAL"), ("k", [1], "NORMAL")], output: 3),
        "dead-code-and-unused": graph(
            """
            node { name: "unused" op_type: "Exp" input: "x" output: "e" }
            node { name: "fc" op_type: "Gemm" input: ["x", "W"] output: "y" }
            """, weights: [("W", [8, 5], "NORMAL"), ("spare", [3], "NORMAL")], output: 5),
    ]
        .merging(convolutionPatterns) { first, _ in first }

    /// Convolution post-op patterns: `x` [N,8] viewed as [N,2,2,2], a 3×3 padded Conv (2 → 2
    /// channels, so shapes stay [N,2,2,2]), the pattern, and a Flatten back to `y` [N,8].
    static let convolutionPatterns: [String: String] = {
        let conv = #"node { name: "conv" op_type: "Conv" input: ["h", "W", "b"] output: "c" attribute { name: "pads" ints: [1, 1, 1, 1] } }"#
        let view = #"node { name: "view" op_type: "Reshape" input: ["x", "shape"] output: "h" }"#
        let flatten = #"node { name: "flat" op_type: "Flatten" input: "out" output: "y" }"#
        let bounds = #"initializer { name: "lo" dims: [] float_data: 0 } initializer { name: "hi" dims: [] float_data: 0.5 }"#
        let patterns: [String: String] = [
            "conv-relu": #"node { name: "act" op_type: "Relu" input: "c" output: "out" }"#,
            "conv-leakyrelu": #"node { name: "act" op_type: "LeakyRelu" input: "c" output: "out" attribute { name: "alpha" f: 0.3 } }"#,
            "conv-sigmoid": #"node { name: "act" op_type: "Sigmoid" input: "c" output: "out" }"#,
            "conv-tanh": #"node { name: "act" op_type: "Tanh" input: "c" output: "out" }"#,
            "conv-elu": #"node { name: "act" op_type: "Elu" input: "c" output: "out" attribute { name: "alpha" f: 0.7 } }"#,
            "conv-clip": #"node { name: "act" op_type: "Clip" input: ["c", "lo", "hi"] output: "out" }"# + bounds,
            "conv-add-relu": """
                node { name: "add" op_type: "Add" input: ["c", "h"] output: "sum" }
                node { name: "act" op_type: "Relu" input: "sum" output: "out" }
                """,
            "conv-swish": """
                node { name: "gate" op_type: "Sigmoid" input: "c" output: "g" }
                node { name: "silu" op_type: "Mul" input: ["g", "c"] output: "out" }
                """,
            "conv-add-swapped": #"node { name: "add" op_type: "Add" input: ["h", "c"] output: "out" }"#,
            "conv-batchnorm-add-clip": """
                node { name: "bn" op_type: "BatchNormalization" input: ["c", "s", "beta", "mean", "var"] output: "cn" }
                node { name: "add" op_type: "Add" input: ["h", "cn"] output: "r" }
                node { name: "act" op_type: "Clip" input: ["r", "lo", "hi"] output: "out" }
                """ + bounds,
        ]
        return patterns.mapValues { pattern in
            graph(
                [view, conv, pattern, flatten].joined(separator: "\n"),
                weights: [("W", [2, 2, 3, 3], "NORMAL"), ("b", [2], "NORMAL"), ("s", [2], "UNIFORM_POSITIVE"),
                          ("beta", [2], "NORMAL"), ("mean", [2], "NORMAL"), ("var", [2], "UNIFORM_POSITIVE")],
                integerWeights: [("shape", [-1, 2, 2, 2])], output: 8)
        }
    }()

    private static func graph(
        _ nodes: String, weights: [(String, [Int], String)], integerWeights: [(String, [Int])] = [], output: Int
    ) -> String {
        let initializers = weights.map { name, dims, rule in
            let filler = rule == "UNIFORM_POSITIVE" ? "kind: UNIFORM low: 0.5 high: 1.5" : "kind: NORMAL mean: 0 std: 1"
            return "initializer { name: \"\(name)\" dims: [\(dims.map(String.init).joined(separator: ", "))] init { \(filler) } }"
        } + integerWeights.map { name, values in
            "initializer { name: \"\(name)\" data_type: INT64 dims: \(values.count) int64_data: [\(values.map(String.init).joined(separator: ", "))] }"
        }
        return """
            opset_version: 17
            training { seed: 7 }
            graph {
              name: "pattern"
              input { name: "x" dim { param: "N" } dim { value: 8 } }
              output { name: "y" dim { param: "N" } dim { value: \(output) } }
              \(nodes)
              \(initializers.joined(separator: "\n  "))
            }
            """
    }

    /// The model named `name`, parsed.
    public static func model(_ name: String) throws -> ProtoModel {
        try ProtoModel(serialized: Data((all[name] ?? "").utf8), format: .text, fileName: "\(name).pbtxt")
    }
}
