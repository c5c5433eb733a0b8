import ModelFormat

/// Code lengths of the BINARY_CODE label encoding (DESIGN §3): the one definition shared by
/// the `head.code-length` lint and the runtime's codeword tables.
public enum BinaryCodeLength {
    /// ceil(log2 `classes`), at least 1: the fewest bits that give every class its own codeword.
    public static func minimumBits(classes: Int) -> Int {
        var bits = 1
        while bits < Int.bitWidth - 2 && (1 << bits) < classes { bits += 1 }
        return bits
    }

    /// The order 2^k of the smallest Sylvester Hadamard matrix with 2^k > `classes`.
    public static func hadamardOrder(classes: Int) -> Int {
        var order = 1
        while order <= classes && order < (1 << (Int.bitWidth - 2)) { order <<= 1 }
        return order
    }

    /// The length an encoding of `classes` classes asks for: `bits` when set, else
    /// `minimumBits` for NATURAL/GRAY and `hadamardOrder` for HADAMARD. Whether `bits` is
    /// valid for the code is checked separately (the lint reports it, the runtime throws).
    public static func length(of encoding: ProtoLabelEncoding, classes: Int) -> Int {
        if encoding.bits > 0 { return Int(encoding.bits) }
        return encoding.code == .hadamard ? hadamardOrder(classes: classes) : minimumBits(classes: classes)
    }
}
