import ModelCompiler

/// Data parallelism over the batch: when every node of a graph treats the rows of axis 0
/// independently, a run with several threads splits the batch into contiguous row ranges and
/// runs the whole plan on each range at once, one thread per range, with oneDNN single-threaded
/// inside. That is one fork and join per run instead of one per kernel, and it makes the
/// non-GEMM kernels (im2col, pooling, activations) parallel too.
///
/// The analysis is static and conservative: a value "carries the batch" when it is a graph
/// input whose first dim is the batch symbol, or an output of a node that maps rows of its
/// batch-carrying inputs to rows of its outputs (rules in `rowLocal`). The split applies when
/// every graph output carries the batch and no node mixes rows; anything unrecognised (a
/// transpose moving axis 0, a reduction over it, a loss, a training op) disables it.
struct BatchSplit: Sendable {
    /// Per graph input, in graph order: whether it carries the batch on axis 0.
    let batchedInputs: [Bool]
    /// Indices of every value that carries the batch, graph inputs included (a split run offsets
    /// those feeds by rows; each part's plan checks that their first dim is the part's row
    /// count, which catches a Reshape that moves rows across axis 0).
    let batchedValues: Set<Int>

    /// A part gets at least this many rows; smaller batches run whole (splitting them costs
    /// more in thread hand-offs than it saves).
    static let minimumRows = 16

    /// Above this many bytes of weights a batch runs whole, its products cut into column
    /// blocks instead (`MatrixProduct`): every part of a split batch packs all the weights, which is
    /// cheap while they stay in cache (the MLP's 2 MB, LeNet's 0.2 MB) and doubles the memory
    /// traffic when they do not (the wide MLP's 100 MB).
    static let maximumWeightBytes = 8 << 20

    /// The split for `graph`, or nil when some node may mix rows of the batch or the weights
    /// are too large to split well.
    init?(graph: Graph, weights: [Int: Tensor]) {
        let weightBytes = weights.values.reduce(0) { $0 + $1.count * $1.elementType.byteSize }
        guard weightBytes <= BatchSplit.maximumWeightBytes else { return nil }
        var symbol: String?
        for input in graph.inputs {
            guard let dims = graph[input].type.dims else { return nil }
            if symbol == nil, case .symbol(let name) = dims.first { symbol = name }
        }
        guard let symbol else { return nil }
        var batched = Set<Int>()
        var inputFlags: [Bool] = []
        for input in graph.inputs {
            let dims = graph[input].type.dims ?? []
            let carries = dims.first == .symbol(symbol)
            // The batch symbol anywhere else would tie rows to another axis.
            guard !dims.dropFirst().contains(.symbol(symbol)) else { return nil }
            if carries { batched.insert(input.index) }
            inputFlags.append(carries)
        }
        let rules = RowLocality(graph: graph, weights: weights)
        for node in graph.nodes {
            let carrying = node.inputs.map { $0.map { batched.contains($0.index) } ?? false }
            guard carrying.contains(true) else { continue }
            guard rules.rowLocal(node, carrying: carrying) else { return nil }
            for output in node.outputs { if let output { batched.insert(output.index) } }
        }
        guard graph.outputs.allSatisfy({ batched.contains($0.index) }) else { return nil }
        batchedInputs = inputFlags
        batchedValues = batched
    }
}

/// The per-op rules of `BatchSplit`: whether a node whose inputs marked in `carrying` hold the
/// batch on axis 0 produces outputs that hold it on axis 0, row for row.
private struct RowLocality {
    let graph: Graph
    let weights: [Int: Tensor]

    func rank(_ value: ValueID?) -> Int? { value.flatMap { graph[$0].type.rank } }

    /// The integer values of a constant input (Reshape's shape, Squeeze's axes).
    func integers(_ value: ValueID?) -> [Int]? {
        guard let value, let tensor = weights[value.index], tensor.elementType == .int64 else { return nil }
        return tensor.int64s.map { Int($0) }
    }

    /// `axis` normalised against `rank` (negative counts from the end).
    func normalized(_ axis: Int, rank: Int) -> Int { axis < 0 ? axis + rank : axis }

    func rowLocal(_ node: Node, carrying: [Bool]) -> Bool {
        let attributes = node.attributes
        let outputRank = rank(node.outputs.first ?? nil)
        /// Only input 0 carries the batch.
        var onlyFirst: Bool { carrying.first == true && !carrying.dropFirst().contains(true) }
        switch node.op {
        case .abs, .elu, .exp, .gelu, .leakyRelu, .log, .neg, .relu, .selu, .sigmoid, .softplus, .sqrt, .tanh,
            .ceil, .erf, .floor, .hardSigmoid, .hardSwish, .reciprocal, .round, .sign,
            .clip, .add, .sub, .mul, .div, .pow, .cast, .identity, .dropout, .max, .min, .sum, .mean,
            .equal, .less, .greater, .where, .mod, .lessOrEqual, .greaterOrEqual, .and, .or, .xor, .not, .isNaN,
            .isInf:
            // Broadcasting: a carrying input must span the output's rank, so its axis 0 is the
            // output's; an input without the batch must broadcast along axis 0.
            guard let outputRank else { return false }
            for (position, input) in node.inputs.enumerated() {
                guard let input else { continue }
                // A value of unknown rank could broadcast the batch against another axis.
                guard let inputRank = rank(input) else { return false }
                if carrying[position] {
                    if inputRank != outputRank { return false }
                } else if inputRank == outputRank, graph[input].type.dims?.first != .fixed(1) {
                    return false
                }
            }
            return true
        case .gemm, .fusedGemm:
            guard carrying[0], !carrying[1], attributes.int("transA", default: 0) == 0 else { return false }
            if carrying.count > 2, !carrying[2], rank(node.inputs[2]) == 2,
                node.inputs[2].flatMap({ graph[$0].type.dims?.first }) != .fixed(1)
            {
                return false
            }
            return true
        case .matMul:
            return onlyFirst && (rank(node.inputs[0]) ?? 0) >= 2
                && rank(node.inputs.count > 1 ? node.inputs[1] : nil) == 2
        case .conv, .convTranspose, .averagePool, .globalAveragePool:
            return onlyFirst
        case .fusedConv:
            // X and the residual Z carry rows; W and B must not.
            return carrying[0] && !carrying[1] && !(carrying.count > 2 && carrying[2])
        case .maxPool, .batchNormalization:
            // MaxPool's Indices count positions over the whole tensor (N·C·H·W), not per row;
            // BatchNormalization's extra outputs are batch statistics.
            return onlyFirst && node.outputs.compactMap({ $0 }).count == 1
        case .layerNormalization:
            guard onlyFirst, let inputRank = rank(node.inputs[0]) else { return false }
            return normalized(attributes.int("axis", default: -1), rank: inputRank) >= 1
        case .softmax, .logSoftmax, .argMax:
            guard onlyFirst, let inputRank = rank(node.inputs[0]) else { return false }
            let fallback = node.op == .argMax ? 0 : -1
            return normalized(attributes.int("axis", default: fallback), rank: inputRank) != 0
        case .flatten:
            guard onlyFirst, let inputRank = rank(node.inputs[0]) else { return false }
            return normalized(attributes.int("axis", default: 1), rank: inputRank) >= 1
        case .reshape:
            // A first target dim of 0 (copy) or -1 (inferred) keeps rows when the other dims
            // hold one row each; each part's plan checks the resulting first dim.
            guard onlyFirst, let shape = integers(node.inputs.count > 1 ? node.inputs[1] : nil),
                let first = shape.first
            else { return false }
            return (first == 0 || first == -1) && !shape.dropFirst().contains(-1)
        case .squeeze, .unsqueeze:
            guard onlyFirst else { return false }
            let axes = attributes.ints("axes") ?? integers(node.inputs.count > 1 ? node.inputs[1] : nil)
            guard let axes, let inputRank = rank(node.inputs[0]), let outputRank else { return false }
            let reference = node.op == .squeeze ? inputRank : outputRank
            return !axes.contains { normalized($0, rank: reference) == 0 }
        case .transpose:
            guard onlyFirst, let inputRank = rank(node.inputs[0]) else { return false }
            let permutation = attributes.ints("perm") ?? Array((0..<inputRank).reversed())
            return permutation.first == 0
        case .concat:
            guard carrying.allSatisfy({ $0 }), let outputRank else { return false }
            return normalized(attributes.int("axis", default: 0), rank: outputRank) != 0
        case .split:
            guard onlyFirst, let inputRank = rank(node.inputs[0]) else { return false }
            return normalized(attributes.int("axis", default: 0), rank: inputRank) != 0
        case .gather:
            guard let dataRank = rank(node.inputs[0]) else { return false }
            let axis = normalized(attributes.int("axis", default: 0), rank: dataRank)
            if carrying[0] { return !carrying[1] && axis >= 1 }
            return axis == 0 && (rank(node.inputs[1]) ?? 0) >= 1
        case .reduceMax, .reduceMean, .reduceSum:
            // Without axes a reduction covers every axis, the batch included.
            guard onlyFirst, let inputRank = rank(node.inputs[0]) else { return false }
            guard let axes = attributes.ints("axes") ?? integers(node.inputs.count > 1 ? node.inputs[1] : nil),
                !axes.isEmpty
            else { return false }
            return !axes.contains { normalized($0, rank: inputRank) == 0 }
        default:
            return false
        }
    }
}
