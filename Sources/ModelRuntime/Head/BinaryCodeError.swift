/// Why a BINARY_CODE codeword or code table cannot be built.
///
/// Raised by `BinaryCodes` for a class count, class index, code family or code length that does
/// not give every class its own codeword of a sane size. Each case carries the numbers involved.
public enum BinaryCodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class count is below 1.
    case classCount(Int)
    /// A class index outside 0..<classes.
    case classOutOfRange(class: Int, classes: Int)
    /// `bits` is too short for NATURAL/GRAY: fewer than ceil(log2 C) bits, so classes would collide.
    case tooFewBits(bits: Int, classes: Int, minimum: Int)
    /// `bits` for HADAMARD is not a power of two greater than the class count.
    case hadamardLength(bits: Int, classes: Int)
    /// The code (or the whole table) would exceed `limit` entries.
    case tooLarge(entries: Int, limit: Int)
    /// A code family this build does not know (an unrecognised enum value in the file).
    case unknownCode(Int)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .classCount: "code.class-count"
        case .classOutOfRange: "code.class-out-of-range"
        case .tooFewBits: "code.too-few-bits"
        case .hadamardLength: "code.hadamard-length"
        case .tooLarge: "code.too-large"
        case .unknownCode: "code.unknown-code"
        }
    }

    public var description: String {
        switch self {
        case .classCount(let classes):
            "a binary code needs at least 1 class, got \(classes)"
        case .classOutOfRange(let index, let classes):
            "class \(index) is outside 0..<\(classes)"
        case .tooFewBits(let bits, let classes, let minimum):
            "bits is \(bits), but \(classes) classes need at least \(minimum) bits (ceil(log2 \(classes)))"
        case .hadamardLength(let bits, let classes):
            "bits is \(bits), but HADAMARD codes for \(classes) classes need a power of two greater than \(classes)"
        case .tooLarge(let entries, let limit):
            "the code would have \(entries) entries, more than the limit of \(limit)"
        case .unknownCode(let raw):
            "code \(raw) is not NATURAL (0), GRAY (1) or HADAMARD (2)"
        }
    }
}
