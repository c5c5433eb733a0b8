import Foundation

@testable import ModelRuntime

/// K ranks inside one test process, one thread each: every collective waits at a barrier for
/// all ranks' contributions, then every rank reads the same result, summed in rank order (as
/// MPI's reductions are for two ranks). Lets the data-parallel trainer be tested without mpirun.
final class InProcessGroup: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var contributions: [[Double]]
    private var arrived = 0
    private var generation = 0
    private var result: [Double] = []

    init(size: Int) {
        self.size = size
        contributions = Array(repeating: [], count: size)
    }

    /// The communicator of rank `rank`.
    func member(_ rank: Int) -> Member { Member(group: self, rank: rank) }

    /// Waits for every rank's `values`, then returns `combine` of them (computed once).
    fileprivate func meet(_ rank: Int, _ values: [Double], combine: ([[Double]]) -> [Double]) -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        let mine = generation
        contributions[rank] = values
        arrived += 1
        if arrived == size {
            result = combine(contributions)
            arrived = 0
            generation += 1
            condition.broadcast()
        } else {
            while generation == mine { condition.wait() }
        }
        return result
    }

    final class Member: Communicator, @unchecked Sendable {
        let group: InProcessGroup
        let rank: Int
        var size: Int { group.size }
        var failure: RuntimeError? { nil }
        /// Collectives this rank took part in.
        private(set) var collectives = 0

        init(group: InProcessGroup, rank: Int) {
            self.group = group
            self.rank = rank
        }

        func sumInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) -> Bool {
            collectives += 1
            let mine = (0..<count).map { Double(values[$0]) }
            let sums = group.meet(rank, mine) { all in
                (0..<count).map { index in Double(all.reduce(Float(0)) { $0 + Float($1[index]) }) }
            }
            for index in 0..<count { values[index] = Float(sums[index]) }
            return true
        }

        func sum(_ values: [Double]) throws(RuntimeError) -> [Double] {
            collectives += 1
            return group.meet(rank, values) { all in
                values.indices.map { index in all.reduce(0) { $0 + $1[index] } }
            }
        }

        func broadcast(_ values: UnsafeMutablePointer<Float>, count: Int, from root: Int) throws(RuntimeError) {
            collectives += 1
            let mine = (0..<count).map { Double(values[$0]) }
            let rootValues = group.meet(rank, mine) { all in all[root] }
            for index in 0..<count { values[index] = Float(rootValues[index]) }
        }
    }

    /// Runs `body(rank)` on one thread per rank and returns the results in rank order.
    func run<T: Sendable>(_ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let results = Results<T>(size)
        let done = DispatchGroup()
        for rank in 0..<size {
            done.enter()
            let thread = Thread {
                results.set(rank, Result { try body(rank) })
                done.leave()
            }
            thread.stackSize = 8 << 20
            thread.start()
        }
        done.wait()
        return try results.values.map { try $0.get() }
    }

    private final class Results<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Result<T, any Error>?]
        init(_ size: Int) { slots = Array(repeating: nil, count: size) }
        func set(_ index: Int, _ value: Result<T, any Error>) {
            lock.lock()
            slots[index] = value
            lock.unlock()
        }
        var values: [Result<T, any Error>] {
            lock.lock()
            defer { lock.unlock() }
            return slots.map { $0 ?? .failure(CancellationError()) }
        }
    }
}
