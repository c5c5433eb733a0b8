import ModelCompiler

/// Split runs (`BatchSplit`): the batch in row ranges, one per thread, each through a
/// single-threaded plan for its row count.
extension InferenceSession {
    /// Runs the batch in row ranges, one per thread, each through a single-threaded plan for
    /// its row count (`BatchSplit`); false, having done nothing, when the batch is too small to
    /// split or the part plans would not keep rows apart.
    func runSplit(
        _ split: BatchSplit, _ feeds: [String: Tensor], fetching fetches: [String],
        into results: inout [String: Tensor]
    ) throws(RuntimeError) -> Bool {
        guard let first = split.batchedInputs.firstIndex(of: true),
            let rows = feeds[declarations[first].name]?.shape.first
        else { return false }
        let parts = min(threads, WorkerPool.shared.capacity, rows / BatchSplit.minimumRows)
        guard parts >= 2 else { return false }
        lock.lock()
        let refused = unsplittable.contains { $0.rows == rows && $0.fetches == fetches }
        lock.unlock()
        if refused { return false }
        let base = rows / parts
        let extra = rows % parts
        func partRows(_ part: Int) -> Int { base + (part < extra ? 1 : 0) }
        func partStart(_ part: Int) -> Int { part * base + min(part, extra) }
        return try withUnsafeTemporaryAllocation(of: (PlanEntry, Arena).self, capacity: parts) {
            (borrowed) throws(RuntimeError) -> Bool in
            var count = 0
            defer {
                for index in 0..<count { giveBack(borrowed[index].1, to: borrowed[index].0) }
                borrowed.baseAddress?.deinitialize(count: count)
            }
            for part in 0..<parts {
                // A part that cannot be planned (a Reshape whose element count no longer
                // divides), or whose plan moves rows across axis 0, means the rows do not split:
                // the batch runs whole.
                // Either way it is remembered, so later runs of this size do not try again.
                guard let (entry, arena) = try? borrow(feeds, fetches, rows: partRows(part)) else {
                    return refuse(rows, fetches)
                }
                (borrowed.baseAddress.unsafelyUnwrapped + count).initialize(to: (entry, arena))
                count += 1
                guard entry.rowsPreserved else { return refuse(rows, fetches) }
                let plan = entry.plan
                for (value, name) in plan.feedSlots {
                    guard let tensor = feeds[name] else { continue }
                    let carries = split.batchedValues.contains(value)
                    let offset =
                        carries ? partStart(part) * (tensor.count / max(rows, 1)) * tensor.elementType.byteSize : 0
                    arena.table[value] =
                        tensor.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress) }.map { $0 + offset }
                }
            }
            var shared = UncheckedParts(parts: UnsafeBufferPointer(borrowed))
            withExtendedLifetime(feeds) {
                withUnsafePointer(to: &shared) { address in
                    WorkerPool.shared.run(parts: parts, context: UnsafeRawPointer(address)) { context, part in
                        let (entry, arena) = context.assumingMemoryBound(to: UncheckedParts.self).pointee.parts[part]
                        entry.plan.execute(in: arena)
                    }
                }
            }
            let plan = borrowed[0].0.plan
            for (name, value) in plan.fetches {
                let type = plan.types[value]
                var tensor = InferenceSession.reuse(&results, name, shape: plan.shapes[value], rows: rows, type: type)
                let rowBytes = tensor.count / max(rows, 1) * type.byteSize
                tensor.withUnsafeMutableBytes { destination in
                    guard let target = destination.baseAddress else { return }
                    for part in 0..<parts {
                        guard let source = borrowed[part].1.table[value] else { continue }
                        (target + partStart(part) * rowBytes).copyMemory(
                            from: source, byteCount: partRows(part) * rowBytes)
                    }
                }
                results[name] = tensor
            }
            return true
        }
    }

    /// Records that batches of `rows` rows (with these fetches) run whole; returns false.
    private func refuse(_ rows: Int, _ fetches: [String]) -> Bool {
        lock.lock()
        unsplittable.append((rows, fetches))
        lock.unlock()
        return false
    }

    /// The parts of a split run, shared with the worker threads: each reads only its own
    /// entry, and `WorkerPool.run` returns after all are done.
    private struct UncheckedParts: @unchecked Sendable {
        let parts: UnsafeBufferPointer<(PlanEntry, Arena)>
    }
}
