import ModelFormat

/// Inserts the all-reduce of data-parallel training (Horovod, PyTorch DDP) between the
/// gradient nodes and the optimiser updates: every rank computes the gradients of its share of
/// a global batch, and `AllReduce` nodes replace them by Σ over ranks of W·G, where the per-step
/// input W is the rank's share of the global batch. Mean losses then give every rank the
/// gradient of the global batch's mean, so K ranks with batch B update as one process with
/// batch K·B. The loss goes through the first bucket too, so the optimiser's non-finite-loss
/// gate sees the global loss and every rank skips (and stops at) the same step.
///
/// Gradients are fused into buckets of at most `bucketBytes` (DDP's 25 MiB by default): one
/// collective per bucket per step instead of one per parameter, whose latency would dominate
/// for small tensors. Buckets are filled in reverse parameter order, the order in which the
/// backward pass produces gradients (DDP does the same).
public enum GradientReductionLowering {
    /// The name of the per-step input W, `[share of the global batch]` (1 in a single process).
    public static let weightInput = "train/reduce_weight"
    /// DDP's default bucket cap.
    public static let defaultBucketBytes = 25 << 20

    /// The reduced gradients (in `gradients` order) and the reduced loss.
    public static func lower(
        _ graph: inout Graph, gradients: [(parameter: ValueID, gradient: ValueID)], loss: ValueID,
        bucketBytes: Int = defaultBucketBytes
    ) -> (gradients: [(parameter: ValueID, gradient: ValueID)], loss: ValueID) {
        let weight = graph.addValue(name: weightInput, type: TensorType(.float, [.fixed(1)]), origin: .input)
        graph.inputs.append(weight)
        var reduced: [Int: ValueID] = [:]
        var reducedLoss = loss
        for (bucketIndex, bucket) in buckets(graph, gradients, bucketBytes: bucketBytes).enumerated() {
            // The loss rides in the first bucket: one scalar more, no extra collective.
            var members: [(position: Int?, value: ValueID)] = bucket.map { ($0, gradients[$0].gradient) }
            if bucketIndex == 0 { members.insert((nil, loss), at: 0) }
            let id = NodeID(index: graph.nodes.count)
            var outputs: [ValueID?] = []
            for member in members {
                let name = "\(graph[member.value].name)/reduced"
                let output = graph.addValue(name: name, type: graph[member.value].type, origin: .node(id))
                outputs.append(output)
                if let position = member.position { reduced[position] = output } else { reducedLoss = output }
            }
            graph.nodes.append(
                Node(
                    name: "train/all_reduce/\(bucketIndex)", op: .allReduce,
                    inputs: [weight] + members.map { $0.value }, outputs: outputs, attributes: Attributes([]),
                    doc: ""))
        }
        let result = gradients.enumerated().map { position, pair in
            (parameter: pair.parameter, gradient: reduced[position] ?? pair.gradient)
        }
        return (result, reducedLoss)
    }

    /// Positions into `gradients`, grouped into buckets of at most `bucketBytes` (a tensor
    /// larger than the cap is a bucket of its own), last parameter first.
    static func buckets(
        _ graph: Graph, _ gradients: [(parameter: ValueID, gradient: ValueID)], bucketBytes: Int
    ) -> [[Int]] {
        var result: [[Int]] = []
        var current: [Int] = []
        var currentBytes = 0
        for position in gradients.indices.reversed() {
            // A gradient has its parameter's shape; the parameter's (an initializer) is known.
            let dims = graph[gradients[position].parameter].type.dims ?? []
            let bytes = dims.reduce(4) { total, dim in
                let (product, overflow) = total.multipliedReportingOverflow(by: max(dim.fixedValue ?? 1, 1))
                return overflow ? Int.max : product
            }
            if !current.isEmpty && (bytes > bucketBytes - currentBytes) {
                result.append(current)
                current = []
                currentBytes = 0
            }
            current.append(position)
            currentBytes += bytes
        }
        if !current.isEmpty { result.append(current) }
        return result
    }
}
