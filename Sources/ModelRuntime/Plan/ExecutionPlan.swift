import ModelCompiler

/// A graph bound to one set of input shapes: kernels in order, each value's place (arena
/// offset, weight, or feed), and the arena size. Immutable and shared by concurrent runs; each
/// run borrows its own `Arena`.
final class ExecutionPlan: @unchecked Sendable {
    /// Where a value lives during a run.
    enum Placement: Equatable {
        case arena(offset: Int)
        case weight(Tensor)
        case feed(name: String)
        /// A buffer owned by the caller that outlives runs (trainer parameters and state).
        case persistent(UnsafeMutableRawPointer)
        case absent
    }

    struct Step {
        let kernel: any Kernel
        let node: String
        var op: OpType? = nil
    }

    let steps: [Step]
    /// Value indices per step, -1 for omitted ports; contiguous so a run only reads them.
    let inputIndices: UnsafeMutableBufferPointer<Int32>
    let outputIndices: UnsafeMutableBufferPointer<Int32>
    let inputRanges: [Range<Int>]
    let outputRanges: [Range<Int>]
    let placements: [Placement]
    /// The values fed by the caller, so a run patches only their table entries.
    let feedSlots: [(value: Int, name: String)]
    let shapes: [[Int]]
    let types: [ElementType]
    let arenaByteCount: Int
    /// Offset of the shared kernel scratch region in the arena (nil when no kernel needs one).
    let scratchOffset: Int?
    /// Values returned by `run`, with their names.
    let fetches: [(name: String, value: Int)]
    let threads: Int

    init(
        steps: [Step], inputs: [[Int32]], outputs: [[Int32]], placements: [Placement], shapes: [[Int]],
        types: [ElementType], arenaByteCount: Int, scratchOffset: Int?, fetches: [(String, Int)], threads: Int
    ) {
        self.steps = steps
        inputIndices = UnsafeMutableBufferPointer.allocate(capacity: max(1, inputs.reduce(0) { $0 + $1.count }))
        outputIndices = UnsafeMutableBufferPointer.allocate(capacity: max(1, outputs.reduce(0) { $0 + $1.count }))
        var ranges: [Range<Int>] = []
        var cursor = 0
        for list in inputs {
            for (offset, value) in list.enumerated() { inputIndices[cursor + offset] = value }
            ranges.append(cursor..<(cursor + list.count))
            cursor += list.count
        }
        inputRanges = ranges
        ranges = []
        cursor = 0
        for list in outputs {
            for (offset, value) in list.enumerated() { outputIndices[cursor + offset] = value }
            ranges.append(cursor..<(cursor + list.count))
            cursor += list.count
        }
        outputRanges = ranges
        self.placements = placements
        feedSlots = placements.enumerated().compactMap { index, placement in
            if case .feed(let name) = placement { return (index, name) }
            return nil
        }
        self.shapes = shapes
        self.types = types
        self.arenaByteCount = arenaByteCount
        self.scratchOffset = scratchOffset
        self.fetches = fetches
        self.threads = threads
    }

    deinit {
        inputIndices.deallocate()
        outputIndices.deallocate()
    }

    /// Runs every step against `arena`, whose table already points at this run's feeds.
    func execute(in arena: Arena) {
        for index in steps.indices { execute(step: index, in: arena) }
    }

    /// Runs step `index` against `arena`.
    @inline(__always)
    func execute(step index: Int, in arena: Arena) {
        let io = KernelIO(
            table: arena.table,
            inputIndices: UnsafeBufferPointer(rebasing: inputIndices[inputRanges[index]]),
            outputIndices: UnsafeBufferPointer(rebasing: outputIndices[outputRanges[index]]),
            threads: threads, scratch: scratchOffset.map { arena.base + $0 })
        steps[index].kernel.run(io)
    }
}
