/// Which samples of a global batch (or of a data set) each rank of a data-parallel run takes.
///
/// Rank k of K takes the contiguous slice [⌈k·n/K⌉, ⌈(k+1)·n/K⌉) of n samples: B each when
/// n = K·B, so K ranks with batch B walk the shuffled order exactly as one process with batch
/// K·B; a last partial batch is split as evenly as possible, extra samples to the lowest
/// ranks (rank 0 is never empty when n ≥ 1; ranks past n are).
public enum DataShard {
    /// Rank `rank`'s positions among `count` samples shared by `size` ranks.
    public static func range(count: Int, rank: Int, size: Int) -> Range<Int> {
        precondition(size >= 1 && rank >= 0 && rank < size && count >= 0, "rank \(rank) of \(size), \(count) samples")
        return ceilingDivide(rank * count, size)..<ceilingDivide((rank + 1) * count, size)
    }

    /// The weight W of a rank's gradients in the all-reduce: its share of the global batch.
    public static func weight(share: Int, of count: Int) -> Float {
        count == 0 ? 0 : Float(Double(share) / Double(count))
    }

    private static func ceilingDivide(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
}
