import ModelCompiler

/// AllReduce: Y_i = Σ over ranks of W·X_i for a bucket X_1..X_n (W = [the rank's share of the
/// global batch]). The bucket is packed, already scaled by W, into the scratch region, reduced
/// by one collective of the node's communicator, and unpacked into the outputs. When the
/// collective fails the outputs are NaN, so the optimiser skips the step, and the
/// communicator's `failure` says why (a kernel cannot throw).
struct AllReduceKernel: Kernel {
    let counts: [Int]
    let total: Int
    let communicator: any Communicator

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let tensors = node.inputShapes.count - 1
        guard tensors >= 1, node.outputShapes.count == tensors else {
            throw node.error("\(max(tensors, 0)) tensors reduced into \(node.outputShapes.count) outputs (one each)")
        }
        guard node.shape(0).reduce(1, *) == 1 else { throw node.error("W must hold one value, got \(node.shape(0))") }
        counts = (1...tensors).map { node.shape($0).reduce(1, *) }
        for (index, count) in counts.enumerated() where node.outputShapes[index].reduce(1, *) != count {
            throw node.error("output \(index) \(node.outputShapes[index]) differs from input \(node.shape(index + 1))")
        }
        total = counts.reduce(0, +)
        communicator = node.communicator
    }

    var scratchByteCount: Int { total * MemoryLayout<Float>.stride }

    func run(_ io: KernelIO) {
        guard let bucket = io.scratch?.assumingMemoryBound(to: Float.self) else { return }
        let weight = io.floats(0)[0]
        var offset = 0
        for (index, count) in counts.enumerated() {
            let x = io.floats(index + 1)
            for j in 0..<count { bucket[offset + j] = weight * x[j] }
            offset += count
        }
        let reduced = communicator.sumInPlace(bucket, count: total)
        offset = 0
        for (index, count) in counts.enumerated() {
            let y = io.outputFloats(index)
            if reduced {
                y.update(from: bucket + offset, count: count)
            } else {
                y.update(repeating: .nan, count: count)
            }
            offset += count
        }
    }
}
