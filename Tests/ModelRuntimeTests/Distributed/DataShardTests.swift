import Testing

@testable import ModelRuntime

/// The sharding arithmetic: rank k of K takes [⌈k·n/K⌉, ⌈(k+1)·n/K⌉) of a global batch of n.
@Suite struct DataShardTests {
    /// (n, K, expected ranges per rank), written out by hand.
    static let cases: [(Int, Int, [Range<Int>])] = [
        (64, 2, [0..<32, 32..<64]),
        (5, 2, [0..<3, 3..<5]),
        (1, 2, [0..<1, 1..<1]),
        (1, 3, [0..<1, 1..<1, 1..<1]),
        (7, 3, [0..<3, 3..<5, 5..<7]),
        (0, 2, [0..<0, 0..<0]),
        (12, 4, [0..<3, 3..<6, 6..<9, 9..<12]),
    ]

    @Test(arguments: cases)
    func shardsAreTheExpectedRanges(count: Int, size: Int, expected: [Range<Int>]) {
        #expect((0..<size).map { DataShard.range(count: count, rank: $0, size: size) } == expected)
    }

    /// For every n and K up to 9: the shards tile 0..<n in rank order, differ in size by at
    /// most one, rank 0 is empty only when n is, and with n = K·B each holds B.
    @Test func shardsTileEveryBatch() {
        for size in 1...9 {
            for count in 0...40 {
                let shards = (0..<size).map { DataShard.range(count: count, rank: $0, size: size) }
                #expect(shards.first?.lowerBound == 0 && shards.last?.upperBound == count)
                #expect(zip(shards, shards.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
                let sizes = shards.map(\.count)
                #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1)
                #expect(count == 0 || !shards[0].isEmpty)
                if count % size == 0 { #expect(sizes.allSatisfy { $0 == count / size }) }
            }
        }
    }

    /// The all-reduce weights of a batch's shares add up to 1, so mean gradients average right.
    @Test func weightsOfTheSharesSumToOne() {
        for (count, size) in [(8, 3), (1, 2), (64, 2), (7, 4)] {
            let total = (0..<size).map {
                Double(DataShard.weight(share: DataShard.range(count: count, rank: $0, size: size).count, of: count))
            }.reduce(0, +)
            #expect(abs(total - 1) < 1e-6)
        }
        #expect(DataShard.weight(share: 0, of: 0) == 0)
    }
}
