import Foundation
import Synchronization

/// Threads that stay awake between parallel sections, for the parallel-for and for split
/// batches. A section is a few hundred microseconds of work, so waking a parked thread (a
/// futex and, in a VM, an inter-processor interrupt) costs a noticeable part of it: each
/// worker spins on its own counter for a while after finishing, and parks only when nothing
/// arrives (as ONNX Runtime's and OpenBLAS's pools do).
///
/// One section runs at a time; a caller that finds the pool busy (another session's run)
/// runs its parts itself, so nothing waits on another caller and nothing deadlocks.
final class WorkerPool: @unchecked Sendable {
    /// One worker per core beyond the calling thread's.
    static let shared = WorkerPool(workers: max(0, ProcessInfo.processInfo.activeProcessorCount - 1))

    /// How long a worker spins after its last part before parking. Consecutive sections of a
    /// run (the products of one layer after another) and consecutive runs arrive within it; a
    /// count of 65,536 checks (about 50 µs) was too short for batch-1 runs, whose parked
    /// workers then cost more to wake than the run itself.
    private static let spinNanoseconds: UInt64 = 2_000_000

    private final class Worker: @unchecked Sendable {
        /// Bumped by the caller to hand this worker the current section.
        let generation = Atomic<Int>(0)
        let condition = NSCondition()
        /// Guarded by `condition`.
        var sleeping = false
    }

    private let workers: [Worker]
    /// Parts handed to workers and not finished yet.
    private let pending = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// Set when another team is about to use the cores (a oneDNN primitive's OpenMP threads):
    /// spinning workers park at once instead of competing with it for the rest of their spin.
    private let parkNow = Atomic<Bool>(false)
    /// A section's work: called with the section's context and a part index.
    typealias Task = @convention(c) (UnsafeRawPointer, Int) -> Void

    /// The current section, written before the `generation` bumps that publish it.
    private var task: Task?
    private var context: UnsafeRawPointer?

    /// The calling thread plus the workers.
    var capacity: Int { workers.count + 1 }

    init(workers count: Int) {
        workers = (0..<count).map { _ in Worker() }
        for (index, worker) in workers.enumerated() {
            let thread = Thread { [self] in self.serve(worker, part: index + 1) }
            thread.name = "ModelRuntime worker \(index + 1)"
            thread.start()
        }
    }

    /// Runs `task(context, part)` for every part in 0..<parts and returns when all are done:
    /// part 0 and any beyond the workers on the calling thread, the others on workers. A C
    /// function and a context pointer (rather than a closure) keep a section free of heap
    /// allocations: the context lives on the caller's stack.
    func run(parts: Int, context: UnsafeRawPointer, task: Task) {
        let helpers = min(parts - 1, workers.count)
        guard helpers > 0, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            for part in 0..<parts { task(context, part) }
            return
        }
        self.task = task
        self.context = context
        parkNow.store(false, ordering: .relaxed)
        pending.store(helpers, ordering: .relaxed)
        for worker in workers.prefix(helpers) {
            worker.generation.add(1, ordering: .releasing)
            worker.condition.lock()
            if worker.sleeping { worker.condition.signal() }
            worker.condition.unlock()
        }
        task(context, 0)
        for part in (helpers + 1)..<max(parts, helpers + 1) { task(context, part) }
        while pending.load(ordering: .acquiring) > 0 {}
        self.task = nil
        self.context = nil
        busy.store(false, ordering: .releasing)
    }

    /// `run(parts:context:task:)` for a closure (which may cost an allocation per section for
    /// its context).
    func run(parts: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var closure = body
            withUnsafePointer(to: &closure) { address in
                run(parts: parts, context: UnsafeRawPointer(address)) { context, part in
                    context.assumingMemoryBound(to: ((Int) -> Void).self).pointee(part)
                }
            }
        }
    }

    /// Makes spinning workers park now: the cores are about to belong to another team of
    /// threads (oneDNN's OpenMP threads), and a spinning worker would take one of them. The
    /// next section wakes the workers as usual.
    func parkSpinningWorkers() {
        if !parkNow.load(ordering: .relaxed) { parkNow.store(true, ordering: .relaxed) }
    }

    private static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    private func serve(_ worker: Worker, part: Int) {
        var seen = 0
        while true {
            var spins = 0
            var since = WorkerPool.now()
            var current = worker.generation.load(ordering: .acquiring)
            while current == seen {
                spins += 1
                // The clock is read every 1,024 checks: often enough, and cheap next to them.
                if spins & 63 == 0,
                    parkNow.load(ordering: .relaxed)
                        || (spins & 1023 == 0 && WorkerPool.now() &- since >= WorkerPool.spinNanoseconds)
                {
                    worker.condition.lock()
                    worker.sleeping = true
                    while worker.generation.load(ordering: .acquiring) == seen { worker.condition.wait() }
                    worker.sleeping = false
                    worker.condition.unlock()
                    since = WorkerPool.now()
                }
                current = worker.generation.load(ordering: .acquiring)
            }
            seen = current
            if let task, let context { task(context, part) }
            pending.subtract(1, ordering: .releasing)
        }
    }
}
