/// The elements of a natural-label tensor, read without rounding them.
///
/// Labels arrive as float32 (CSV), int64 or int32 (`.npz`) or uint8 (IDX). Integer types are
/// kept as integers so that a large class index or an `ignore_index` of −100 compares exactly;
/// float32 stays float so that a fractional "class index" (2.5) is seen rather than truncated,
/// as `Tensor.int64s` would do.
enum LabelElements {
    /// Elements of an integer (or bool) tensor.
    case integers([Int64])
    /// Elements of a float32 tensor.
    case reals([Float])

    /// What an element says when read as a class index.
    enum ClassReading: Equatable {
        /// A whole number that fits Int64.
        case index(Int64)
        /// A whole number beyond Int64 (a float such as 1e30): out of any class range.
        case huge(Double)
        /// A number with a fractional part.
        case fractional(Double)
        /// NaN or ±infinity, spelled `nan`, `inf`, `-inf`.
        case nonFinite(String)
    }

    /// What an element says when read as an entry of a 0/1 row.
    enum BinaryReading: Equatable {
        case zero, one
        /// A finite value other than 0 and 1.
        case other(Double)
        /// NaN or ±infinity, spelled `nan`, `inf`, `-inf`.
        case nonFinite(String)
    }

    /// The elements of `tensor`, row-major.
    init(_ tensor: Tensor) {
        self = tensor.elementType == .float32 ? .reals(tensor.scalars) : .integers(tensor.int64s)
    }

    /// Element `index` read as a class index.
    func classIndex(_ index: Int) -> ClassReading {
        switch self {
        case .integers(let values):
            return .index(values[index])
        case .reals(let values):
            let value = values[index]
            guard value.isFinite else { return .nonFinite(Self.spelled(value)) }
            guard value == value.rounded(.towardZero) else { return .fractional(Double(value)) }
            // Float(Int64.max) rounds up to 2^63, so compare against 2^63 exclusively.
            guard abs(Double(value)) < 0x1p63 else { return .huge(Double(value)) }
            return .index(Int64(value))
        }
    }

    /// Element `index` read as an entry of a 0/1 row.
    func binary(_ index: Int) -> BinaryReading {
        switch self {
        case .integers(let values):
            switch values[index] {
            case 0: return .zero
            case 1: return .one
            case let other: return .other(Double(other))
            }
        case .reals(let values):
            let value = values[index]
            guard value.isFinite else { return .nonFinite(Self.spelled(value)) }
            return value == 0 ? .zero : value == 1 ? .one : .other(Double(value))
        }
    }

    /// Element `index` as a float, or the spelling of a non-finite value.
    func real(_ index: Int) -> Result<Float, NonFinite> {
        switch self {
        case .integers(let values):
            return .success(Float(values[index]))
        case .reals(let values):
            let value = values[index]
            return value.isFinite ? .success(value) : .failure(NonFinite(spelling: Self.spelled(value)))
        }
    }

    /// A non-finite value found by `real(_:)`.
    struct NonFinite: Error {
        let spelling: String
    }

    /// A label value as written in the data, for messages: `12` for integral values, `2.5` otherwise.
    static func written(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : "\(value)"
    }

    /// `nan`, `inf` or `-inf`.
    private static func spelled(_ value: Float) -> String {
        value.isNaN ? "nan" : value > 0 ? "inf" : "-inf"
    }
}
