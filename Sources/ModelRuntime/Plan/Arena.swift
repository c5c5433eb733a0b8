import ModelCompiler

/// The memory of one run: a 64-byte-aligned block for all intermediates and a table of
/// value pointers (arena slots, weights, and feeds patched in per run).
final class Arena: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let table: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let valueCount: Int

    init(plan: ExecutionPlan) {
        base = UnsafeMutableRawPointer.allocate(byteCount: max(plan.arenaByteCount, 64), alignment: 64)
        valueCount = plan.placements.count
        table = UnsafeMutablePointer.allocate(capacity: max(valueCount, 1))
        table.initialize(repeating: nil, count: max(valueCount, 1))
        for (index, placement) in plan.placements.enumerated() {
            switch placement {
            case .arena(let offset): table[index] = base + offset
            case .weight(let tensor):
                // Weights are immutable; kernels only read inputs, so the const cast is safe.
                table[index] = tensor.withUnsafeBytes { UnsafeMutableRawPointer(mutating: $0.baseAddress) }
            case .persistent(let pointer): table[index] = pointer
            case .feed, .absent: table[index] = nil
            }
        }
    }

    deinit {
        base.deallocate()
        table.deallocate()
    }
}
