/// Element counts and byte sizes of shapes whose dims come from a file, computed with
/// overflow-reporting arithmetic: a hostile dim yields nil (and then a typed error at the
/// caller), never a trap.
public enum Shape {
    /// The product of `dims` (1 for none), or nil when a dim is negative or the product
    /// overflows `Int`.
    public static func checkedElementCount(_ dims: some Sequence<Int>) -> Int? {
        var count = 1
        for dim in dims {
            guard dim >= 0 else { return nil }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else { return nil }
            count = product
        }
        return count
    }

    /// The bytes of a tensor of `dims` with `elementSize`-byte elements, or nil when a dim is
    /// negative or the size overflows `Int`.
    public static func checkedByteCount(_ dims: some Sequence<Int>, elementSize: Int) -> Int? {
        guard let count = checkedElementCount(dims), elementSize >= 0 else { return nil }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: elementSize)
        return overflow ? nil : bytes
    }

    /// `a + b`, or nil on overflow.
    public static func checkedSum(_ a: Int, _ b: Int) -> Int? {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? nil : sum
    }

    /// `a × b`, or nil on overflow.
    public static func checkedProduct(_ a: Int, _ b: Int) -> Int? {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? nil : product
    }
}
