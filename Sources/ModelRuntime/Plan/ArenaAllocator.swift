import ModelFormat

/// Offsets in one arena for values with known lifetimes: each request takes the smallest free
/// block that fits (best fit) among blocks whose last reader ran before the requesting step,
/// or grows the arena. Sizes are rounded to `alignment` and every sum is overflow-checked.
struct ArenaAllocator {
    static let alignment = 64

    private var blocks: [(offset: Int, size: Int, freeAfter: Int)] = []
    /// Bytes of the arena so far.
    private(set) var size = 0

    /// `bytes` rounded up to the alignment; nil when that overflows.
    static func rounded(_ bytes: Int) -> Int? {
        Shape.checkedSum(max(bytes, 1), alignment - 1).map { $0 / alignment * alignment }
    }

    /// An offset for `bytes` written at step `step` and read until step `freeAfter`; nil when
    /// the arena's size would overflow.
    mutating func place(bytes: Int, at step: Int, freeAfter: Int) -> Int? {
        guard let rounded = ArenaAllocator.rounded(bytes), Shape.checkedSum(size, rounded) != nil else { return nil }
        var chosen: Int?
        for (index, block) in blocks.enumerated() where block.freeAfter < step && block.size >= rounded {
            if chosen.map({ blocks[$0].size > block.size }) ?? true { chosen = index }
        }
        if let chosen {
            blocks[chosen].freeAfter = max(freeAfter, step)
            return blocks[chosen].offset
        }
        let offset = size
        size += rounded
        blocks.append((offset, rounded, max(freeAfter, step)))
        return offset
    }

    /// An offset for a region after every value (the kernels' shared scratch); nil on overflow.
    mutating func appendRegion(bytes: Int) -> Int? {
        guard let rounded = ArenaAllocator.rounded(bytes), Shape.checkedSum(size, rounded) != nil else { return nil }
        let offset = size
        size += rounded
        return offset
    }
}
