import Foundation
import ModelFormat

/// Graphs built so that each optimisation pattern meets every relevant producer and consumer
/// (issue 13): a BatchNormalization after a one-input Concat (torchvision's DenseNet), a
/// MaxPool, an Add, a Relu, a Gemm it may not fold into; a MatMul + Add whose Add broadcasts
/// the product up; activations, transposes and reshapes around the ops their passes do not
/// expect. Weights come from seeded fillers. Inputs are `x` (and sometimes `z` or `w`);
/// the output is `y`.
public enum PassPatternGraphs {
    public static let all: [String: String] = [
        "bn-after-one-input-concat": image(
            """
            node { name: "cat" op_type: "Concat" input: "x" output: "c" attribute { name: "axis" i: 1 } }
            \(batchNorm("c", 2))
            """, weights: bnWeights(2)),
        "bn-after-two-input-concat": image(
            """
            node { name: "a" op_type: "Conv" input: ["x", "W1"] output: "a" attribute { name: "pads" ints: [1, 1, 1, 1] } }
            node { name: "cat" op_type: "Concat" input: ["a", "x"] output: "c" attribute { name: "axis" i: 1 } }
            \(batchNorm("c", 5))
            """, weights: [("W1", [3, 2, 3, 3])] + bnWeights(5)),
        "bn-after-maxpool": image(
            """
            node { name: "pool" op_type: "MaxPool" input: "x" output: "p" attribute { name: "kernel_shape" ints: [2, 2] } }
            \(batchNorm("p", 2))
            """, weights: bnWeights(2)),
        "bn-after-add": image(
            """
            node { name: "sum" op_type: "Add" input: ["x", "k"] output: "shifted" }
            \(batchNorm("shifted", 2))
            """, weights: [("k", [2, 1, 1])] + bnWeights(2)),
        "bn-after-relu": image(
            """
            node { name: "act" op_type: "Relu" input: "x" output: "r" }
            \(batchNorm("r", 2))
            """, weights: bnWeights(2)),
        "bn-after-conv-with-bias-and-group": image(
            """
            node { name: "conv" op_type: "Conv" input: ["x", "W", "B"] output: "c" attribute { name: "group" i: 2 } }
            \(batchNorm("c", 4))
            """, weights: [("W", [4, 1, 3, 3]), ("B", [4])] + bnWeights(4)),
        "bn-after-conv-weight-from-input": image(
            """
            node { name: "conv" op_type: "Conv" input: ["x", "w"] output: "c" }
            \(batchNorm("c", 3))
            """, weights: bnWeights(3), extraInputs: "input { name: \"w\" dim { value: 3 } dim { value: 2 } dim { value: 3 } dim { value: 3 } }"),
        "bn-after-conv-read-twice": image(
            """
            node { name: "conv" op_type: "Conv" input: ["x", "W"] output: "c" }
            \(batchNorm("c", 3))
            node { name: "act" op_type: "Relu" input: "c" output: "r" }
            node { name: "sum" op_type: "Add" input: ["bn_out", "r"] output: "y" }
            """, weights: [("W", [3, 2, 3, 3])] + bnWeights(3), bnOutput: "bn_out"),
        "bn-chain-after-conv-with-shared-weight": image(
            """
            node { name: "c1" op_type: "Conv" input: ["x", "W"] output: "a" }
            node { name: "c2" op_type: "Conv" input: ["x", "W"] output: "b" }
            node { name: "bn1" op_type: "BatchNormalization" input: ["a", "s", "beta", "mean", "var"] output: "a1" }
            node { name: "bn2" op_type: "BatchNormalization" input: ["a1", "s", "beta", "mean", "var"] output: "a2" }
            node { name: "sum" op_type: "Add" input: ["a2", "b"] output: "y" }
            """, weights: [("W", [3, 2, 3, 3])] + bnWeights(3), bnOutput: "unused"),
        "bn-after-gemm-alpha-and-2d-bias": dense(
            """
            node { name: "fc" op_type: "Gemm" input: ["x", "W", "C"] output: "h" attribute { name: "alpha" f: 0.5 } }
            node { name: "fc2" op_type: "Gemm" input: ["h", "W2", "C2"] output: "h2" attribute { name: "transB" i: 1 } }
            \(batchNorm("h2", 6))
            """, weights: [("W", [8, 6]), ("C", [1, 6]), ("W2", [6, 6]), ("C2", [1, 6])] + bnWeights(6)),
        "matmul-add-bias-first": dense(
            """
            node { name: "mm" op_type: "MatMul" input: ["x", "W"] output: "p" }
            node { name: "add" op_type: "Add" input: ["b", "p"] output: "y" }
            """, weights: [("W", [8, 6]), ("b", [6])]),
        "matmul-add-broadcasting-the-product-up": dense(
            """
            node { name: "mm" op_type: "MatMul" input: ["x", "W"] output: "p" }
            node { name: "add" op_type: "Add" input: ["p", "b"] output: "y" }
            """, weights: [("W", [8, 1]), ("b", [1, 3])]),
        "matmul-add-one-element-bias": dense(
            """
            node { name: "mm" op_type: "MatMul" input: ["x", "W"] output: "p" }
            node { name: "add" op_type: "Add" input: ["p", "b"] output: "y" }
            """, weights: [("W", [8, 6]), ("b", [1])]),
        "matmul-add-other-batch-symbol": dense(
            """
            node { name: "mm" op_type: "MatMul" input: ["x", "W"] output: "p" }
            node { name: "add" op_type: "Add" input: ["p", "z"] output: "y" }
            """, weights: [("W", [8, 6])], extraInputs: "input { name: \"z\" dim { param: \"M\" } dim { value: 6 } }"),
        "matmul-3d-add": image(
            """
            node { name: "mm" op_type: "MatMul" input: ["x", "W"] output: "p" }
            node { name: "add" op_type: "Add" input: ["p", "b"] output: "y" }
            """, weights: [("W", [4, 3]), ("b", [3])]),
        "activations-after-other-producers": image(
            """
            node { name: "pool" op_type: "MaxPool" input: "x" output: "p" attribute { name: "kernel_shape" ints: [2, 2] } }
            node { name: "act" op_type: "Relu" input: "p" output: "r" }
            node { name: "conv" op_type: "Conv" input: ["x", "W"] output: "c" attribute { name: "pads" ints: [1, 1, 1, 1] } }
            node { name: "sig" op_type: "Sigmoid" input: "c" output: "s" }
            node { name: "tanh" op_type: "Tanh" input: "c" output: "t" }
            node { name: "sum" op_type: "Add" input: ["s", "t"] output: "u" }
            node { name: "leaky" op_type: "LeakyRelu" input: "u" output: "l" attribute { name: "alpha" f: 0.2 } }
            node { name: "gp" op_type: "GlobalAveragePool" input: "l" output: "g" }
            node { name: "gp2" op_type: "GlobalAveragePool" input: "r" output: "g2" }
            node { name: "cat" op_type: "Concat" input: ["g", "g2"] output: "y" attribute { name: "axis" i: 1 } }
            """, weights: [("W", [2, 2, 3, 3])]),
        "transposes-of-inputs": dense(
            """
            node { name: "t" op_type: "Transpose" input: "x" output: "xt" }
            node { name: "fc" op_type: "Gemm" input: ["xt", "W"] output: "h" attribute { name: "transA" i: 1 } }
            node { name: "t2" op_type: "Transpose" input: "W2" output: "W2t" attribute { name: "perm" ints: [1, 0] } }
            node { name: "fc2" op_type: "Gemm" input: ["h", "W2t"] output: "h2" attribute { name: "transB" i: 1 } }
            node { name: "act" op_type: "Relu" input: "h2" output: "y" }
            """, weights: [("W", [8, 5]), ("W2", [5, 4])]),
        "transpose-3d-into-matmul": image(
            """
            node { name: "t" op_type: "Transpose" input: "x" output: "xt" attribute { name: "perm" ints: [0, 1, 3, 2] } }
            node { name: "mm" op_type: "MatMul" input: ["xt", "W"] output: "y" }
            """, weights: [("W", [4, 3])]),
        "reshapes-of-every-kind": dense(
            """
            node { name: "u" op_type: "Unsqueeze" input: ["x", "axes"] output: "a" }
            node { name: "f" op_type: "Flatten" input: "a" output: "b" }
            node { name: "r" op_type: "Reshape" input: ["b", "shape"] output: "c" }
            node { name: "s" op_type: "Squeeze" input: ["c", "axes"] output: "d" }
            node { name: "r2" op_type: "Reshape" input: ["d", "shape2"] output: "e" }
            node { name: "act" op_type: "Tanh" input: "e" output: "y" }
            """, weights: [], integers: [("axes", [1]), ("shape", [-1, 1, 8]), ("shape2", [0, 2, 4])]),
        "duplicates-and-dropouts": dense(
            """
            node { name: "d1" op_type: "Dropout" input: "x" output: "a" }
            node { name: "d2" op_type: "Dropout" input: "x" output: "b" }
            node { name: "g1" op_type: "Gemm" input: ["a", "W"] output: "p" }
            node { name: "g2" op_type: "Gemm" input: ["b", "W"] output: "q" }
            node { name: "id" op_type: "Identity" input: "q" output: "q2" }
            node { name: "sum" op_type: "Add" input: ["p", "q2"] output: "y" }
            """, weights: [("W", [8, 5])]),
        "constants-that-broadcast": dense(
            """
            node { name: "k" op_type: "Constant" output: "k" attribute { name: "value_floats" floats: [0.5] } }
            node { name: "wb" op_type: "Add" input: ["W", "b"] output: "Wb" }
            node { name: "wk" op_type: "Mul" input: ["Wb", "k"] output: "Wk" }
            node { name: "wt" op_type: "Transpose" input: "Wk" output: "Wt" }
            node { name: "fc" op_type: "Gemm" input: ["x", "Wt"] output: "y" attribute { name: "transB" i: 1 } }
            """, weights: [("W", [8, 3]), ("b", [3])]),
    ]

    /// The model named `name`, parsed.
    public static func model(_ name: String) throws -> ProtoModel {
        try ProtoModel(serialized: Data((all[name] ?? "").utf8), format: .text, fileName: "\(name).pbtxt")
    }

    private static func batchNorm(_ input: String, _ channels: Int) -> String {
        "node { name: \"bn\" op_type: \"BatchNormalization\" input: [\"\(input)\", \"s\", \"beta\", \"mean\", \"var\"] output: \"BNOUT\" }"
    }

    private static func bnWeights(_ channels: Int) -> [(String, [Int])] {
        [("s", [channels]), ("beta", [channels]), ("mean", [channels]), ("var+", [channels])]
    }

    /// x [N,2,4,4].
    private static func image(
        _ nodes: String, weights: [(String, [Int])], extraInputs: String = "", bnOutput: String = "y"
    ) -> String {
        graph(nodes, input: "dim { param: \"N\" } dim { value: 2 } dim { value: 4 } dim { value: 4 }",
              weights: weights, integers: [], extraInputs: extraInputs, bnOutput: bnOutput)
    }

    /// x [N,8].
    private static func dense(
        _ nodes: String, weights: [(String, [Int])], integers: [(String, [Int])] = [], extraInputs: String = ""
    ) -> String {
        graph(nodes, input: "dim { param: \"N\" } dim { value: 8 }", weights: weights, integers: integers,
              extraInputs: extraInputs, bnOutput: "y")
    }

    private static func graph(
        _ nodes: String, input: String, weights: [(String, [Int])], integers: [(String, [Int])], extraInputs: String,
        bnOutput: String
    ) -> String {
        // A name ending in "+" is a strictly positive tensor (a variance).
        let initializers = weights.map { name, dims in
            let positive = name.hasSuffix("+")
            let filler = positive ? "kind: UNIFORM low: 0.5 high: 1.5" : "kind: NORMAL mean: 0 std: 1"
            return "initializer { name: \"\(positive ? String(name.dropLast()) : name)\" "
                + "dims: [\(dims.map(String.init).joined(separator: ", "))] init { \(filler) } }"
        } + integers.map { name, values in
            "initializer { name: \"\(name)\" data_type: INT64 dims: \(values.count) "
                + "int64_data: [\(values.map(String.init).joined(separator: ", "))] }"
        }
        return """
            opset_version: 17
            training { seed: 11 }
            graph {
              name: "pattern"
              input { name: "x" \(input) }
              \(extraInputs)
              output { name: "y" unknown_rank: true }
              \(nodes.replacingOccurrences(of: "BNOUT", with: bnOutput))
              \(initializers.joined(separator: "\n  "))
            }
            """
    }
}
