import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

/// Split batches (`BatchSplit`): which graphs split, and that a split run gives the whole
/// run's result. The whole single-threaded run is the reference here; it is checked against
/// independent values by the kernel and session suites.
@Suite struct BatchSplitTests {
    struct Graph: CustomStringConvertible, Sendable {
        let name: String
        let body: String
        let input: [Int]
        let output: String
        var description: String { name }
    }

    static func model(_ graph: Graph) throws -> ProtoModel {
        let dims = graph.input.map { "dim { value: \($0) }" }.joined(separator: " ")
        return try ProtoModel(
            textFormatString: """
                opset_version: 17
                graph {
                  name: "split"
                  input { name: "x" elem_type: FLOAT dim { param: "N" } \(dims) }
                  output { name: "y" elem_type: FLOAT \(graph.output) }
                  \(graph.body)
                }
                training { seed: 3 }
                """)
    }

    static func input(_ graph: Graph, batch: Int) -> Tensor {
        let shape = [batch] + graph.input
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: (0..<count).map { Float(sin(Double($0) * 0.731)) })
    }

    /// Results of the whole single-threaded run and of a two-thread session; `split`: whether
    /// that session can split, `ran`: whether this run did (it built a part plan that keeps rows).
    static func runs(
        _ graph: Graph, batch: Int
    ) throws -> (whole: Tensor, twoThreads: Tensor, split: Bool, ran: Bool) {
        let model = try model(graph)
        let single = try InferenceSession(model: model, threads: 1)
        let double = try InferenceSession(model: model, threads: 2)
        let x = input(graph, batch: batch)
        let whole = try #require(try single.run(["x": x])["y"])
        let parted = try #require(try double.run(["x": x])["y"])
        return (whole, parted, double.batchSplit != nil, double.ranSplit)
    }

    static let splittable: [Graph] = [
        Graph(
            name: "conv, relu, pool, flatten, gemm, softmax",
            body: """
                node { op_type: "Conv" input: "x" input: "w" input: "b" output: "c" attribute { name: "pads" ints: [1, 1, 1, 1] } }
                node { op_type: "Relu" input: "c" output: "r" }
                node { op_type: "MaxPool" input: "r" output: "p" attribute { name: "kernel_shape" ints: [2, 2] } attribute { name: "strides" ints: [2, 2] } }
                node { op_type: "Flatten" input: "p" output: "f" }
                node { op_type: "Gemm" input: "f" input: "fw" input: "fb" output: "g" attribute { name: "transB" i: 1 } }
                node { op_type: "Softmax" input: "g" output: "y" }
                initializer { name: "w" data_type: FLOAT dims: 4 dims: 2 dims: 3 dims: 3 init { kind: HE_NORMAL } }
                initializer { name: "b" data_type: FLOAT dims: 4 init { kind: UNIFORM low: -0.1 high: 0.1 } }
                initializer { name: "fw" data_type: FLOAT dims: 5 dims: 36 init { kind: GLOROT_UNIFORM } }
                initializer { name: "fb" data_type: FLOAT dims: 5 init { kind: ZEROS } }
                """,
            input: [2, 6, 6], output: #"dim { param: "N" } dim { value: 5 }"#),
        Graph(
            name: "layer norm, broadcast add, reshape [0, -1], transpose keeping axis 0, reduce over axis 2",
            body: """
                node { op_type: "LayerNormalization" input: "x" input: "s" input: "t" output: "n" attribute { name: "axis" i: -1 } }
                node { op_type: "Add" input: "n" input: "bias" output: "a" }
                node { op_type: "Reshape" input: "a" input: "shape" output: "r" }
                node { op_type: "Transpose" input: "r" output: "t1" attribute { name: "perm" ints: [0, 2, 1] } }
                node { op_type: "ReduceMean" input: "t1" output: "y" attribute { name: "axes" ints: [2] } attribute { name: "keepdims" i: 0 } }
                initializer { name: "s" data_type: FLOAT dims: 8 init { kind: UNIFORM low: 0.5 high: 1.5 } }
                initializer { name: "t" data_type: FLOAT dims: 8 init { kind: UNIFORM low: -0.5 high: 0.5 } }
                initializer { name: "bias" data_type: FLOAT dims: 1 dims: 8 init { kind: UNIFORM low: -1 high: 1 } }
                initializer { name: "shape" data_type: INT64 dims: 3 int64_data: [0, 4, 2] }
                """,
            input: [8], output: #"dim { param: "N" } dim { value: 2 }"#),
        Graph(
            name: "two branches concatenated on axis 1, then MatMul",
            body: """
                node { op_type: "Tanh" input: "x" output: "a" }
                node { op_type: "Sigmoid" input: "x" output: "b" }
                node { op_type: "Concat" input: "a" input: "b" output: "c" attribute { name: "axis" i: 1 } }
                node { op_type: "MatMul" input: "c" input: "m" output: "y" }
                initializer { name: "m" data_type: FLOAT dims: 12 dims: 3 init { kind: GLOROT_UNIFORM } }
                """,
            input: [6], output: #"dim { param: "N" } dim { value: 3 }"#),
    ]

    static let mixing: [Graph] = [
        Graph(
            name: "subtracting the batch mean (ReduceMean over axis 0)",
            body: """
                node { op_type: "ReduceMean" input: "x" output: "m" attribute { name: "axes" ints: [0] } }
                node { op_type: "Sub" input: "x" input: "m" output: "y" }
                """,
            input: [3], output: #"dim { param: "N" } dim { value: 3 }"#),
        Graph(
            name: "MaxPool with its Indices output (indices count over the whole tensor)",
            body: """
                node { op_type: "MaxPool" input: "x" output: "p" output: "i" attribute { name: "kernel_shape" ints: [2, 2] } attribute { name: "strides" ints: [2, 2] } }
                node { op_type: "Cast" input: "i" output: "f" attribute { name: "to" i: 1 } }
                node { op_type: "Add" input: "p" input: "f" output: "y" }
                """,
            input: [1, 4, 4], output: #"dim { param: "N" } dim { value: 1 } dim { value: 2 } dim { value: 2 }"#),
        Graph(
            name: "softmax over the batch axis",
            body: #"node { op_type: "Softmax" input: "x" output: "y" attribute { name: "axis" i: 0 } }"#,
            input: [3], output: #"dim { param: "N" } dim { value: 3 }"#),
        Graph(
            name: "Gemm with transA (rows become columns)",
            body: """
                node { op_type: "Gemm" input: "x" input: "x" output: "y" attribute { name: "transA" i: 1 } }
                """,
            input: [3], output: #"dim { value: 3 } dim { value: 3 }"#),
    ]

    /// Needs two cores: with one, the pool has no worker and every run is whole.
    @Test(.enabled(if: WorkerPool.shared.capacity >= 2), arguments: splittable, [40, 33])
    func splitRunsMatchWholeRuns(_ graph: Graph, batch: Int) throws {
        let (whole, parted, split, ran) = try Self.runs(graph, batch: batch)
        #expect(split && ran)
        #expect(parted.shape == whole.shape)
        // Parts reach the same kernels with fewer rows; BLAS may block them differently, so the
        // float32 sums may round differently in the last bits (terms are O(1), at most 72 of them).
        for (a, b) in zip(parted.scalars, whole.scalars) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
    }

    @Test(arguments: mixing)
    func graphsThatMixRowsDoNotSplit(_ graph: Graph) throws {
        let (whole, parted, split, ran) = try Self.runs(graph, batch: 40)
        #expect(!split && !ran)
        #expect(parted.shape == whole.shape)
        for (a, b) in zip(parted.scalars, whole.scalars) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
    }

    /// [N, 4] → [-1, 2] is [2N, 2]: it passes the static rules (a first target dim of −1),
    /// but each part's plan has 2·rows rows there, so the parts' results would not stack into
    /// the output; with 34 rows and [-1, 8], a part's 68 elements do not fill rows of 8 and the
    /// part cannot be planned. Either way the run falls back to the whole plan.
    @Test(arguments: [
        (40, [-1, 2], #"dim { param: "N*2" } dim { value: 2 }"#),
        (34, [-1, 8], #"dim { param: "N/2" } dim { value: 8 }"#),
    ])
    func aReshapeThatMovesRowsAcrossTheBatchRunsWhole(batch: Int, shape: [Int], output: String) throws {
        let graph = Graph(
            name: "reshape to \(shape)",
            body: """
                node { op_type: "Reshape" input: "x" input: "shape" output: "y" }
                initializer { name: "shape" data_type: INT64 dims: 2 int64_data: \(shape) }
                """,
            input: [4], output: output)
        let (whole, parted, split, ran) = try Self.runs(graph, batch: batch)
        #expect(split && !ran)
        #expect(parted.shape == [batch * 4 / shape[1], shape[1]])
        #expect(parted == whole)
    }

    @Test func graphsWithLargeWeightsRunWhole() throws {
        // 2048 × 1025 floats = 8.4 MB of weights, above `BatchSplit.maximumWeightBytes`.
        let graph = Graph(
            name: "one wide Gemm",
            body: """
                node { op_type: "Gemm" input: "x" input: "w" output: "y" attribute { name: "transB" i: 1 } }
                initializer { name: "w" data_type: FLOAT dims: 1025 dims: 2048 init { kind: GLOROT_UNIFORM } }
                """,
            input: [2048], output: #"dim { param: "N" } dim { value: 1025 }"#)
        let (whole, parted, split, ran) = try Self.runs(graph, batch: 40)
        #expect(!split && !ran)
        for (a, b) in zip(parted.scalars, whole.scalars) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b))) }
    }

    @Test func aBatchWhosePartsCannotBePlannedIsNotPlannedAgain() throws {
        // 34 rows of 4 into rows of 8: the whole batch plans (17 rows), a 17-row part does not.
        let graph = Graph(
            name: "reshape to [-1, 8]",
            body: """
                node { op_type: "Reshape" input: "x" input: "shape" output: "y" }
                initializer { name: "shape" data_type: INT64 dims: 2 int64_data: [-1, 8] }
                """,
            input: [4], output: #"dim { param: "N/2" } dim { value: 8 }"#)
        let session = try InferenceSession(model: Self.model(graph), threads: 2)
        let x = Self.input(graph, batch: 34)
        let first = try #require(try session.run(["x": x])["y"])
        #expect(session.unsplittable.map(\.rows) == [34])
        let second = try #require(try session.run(["x": x])["y"])
        #expect(session.unsplittable.map(\.rows) == [34])
        #expect(first == second && first.shape == [17, 8])
    }

    @Test func smallBatchesRunWhole() throws {
        // 31 rows cannot give two parts of at least `minimumRows` (16) rows.
        let (whole, parted, split, ran) = try Self.runs(Self.splittable[0], batch: 31)
        #expect(split && !ran)
        #expect(parted == whole)
    }
}

extension InferenceSession {
    /// Whether a run of this session was split: it can split (so its whole plans have 2+
    /// threads) and built a single-threaded part plan that keeps rows apart.
    var ranSplit: Bool { batchSplit != nil && plans.contains { $0.threads == 1 && $0.rowsPreserved } }
}
