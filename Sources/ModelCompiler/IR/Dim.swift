/// One dimension of a shape: a number, a named symbol (`N`), a multiple of one (`N*4`), or unknown.
///
/// Shape inference carries symbols through so a plan can be built once per batch size; a
/// product with more than one symbol, or a sum of unequal symbols, becomes `.unknown`.
public enum Dim: Hashable, Sendable, CustomStringConvertible {
    case fixed(Int)
    case symbol(String)
    /// `coefficient × symbol`, coefficient ≥ 2.
    case product(Int, String)
    case unknown

    /// The value when fixed.
    public var fixedValue: Int? {
        if case .fixed(let value) = self { return value }
        return nil
    }

    /// `coefficient × symbol` view: fixed dims have no symbol, unknown has no view.
    var monomial: (coefficient: Int, symbol: String?)? {
        switch self {
        case .fixed(let value): (value, nil)
        case .symbol(let name): (1, name)
        case .product(let coefficient, let name): (coefficient, name)
        case .unknown: nil
        }
    }

    init(coefficient: Int, symbol: String?) {
        switch (coefficient, symbol) {
        case (_, nil): self = .fixed(coefficient)
        case (1, let name?): self = .symbol(name)
        case (0, _): self = .fixed(0)
        case (let coefficient, let name?): self = .product(coefficient, name)
        }
    }

    /// The product of two dims, when it stays representable.
    public static func * (lhs: Dim, rhs: Dim) -> Dim {
        guard let a = lhs.monomial, let b = rhs.monomial else {
            return lhs == .fixed(0) || rhs == .fixed(0) ? .fixed(0) : .unknown
        }
        let (coefficient, overflow) = a.coefficient.multipliedReportingOverflow(by: b.coefficient)
        guard !overflow else { return .unknown }
        switch (a.symbol, b.symbol) {
        case (nil, nil): return .fixed(coefficient)
        case (let symbol?, nil), (nil, let symbol?): return Dim(coefficient: coefficient, symbol: symbol)
        default: return .unknown
        }
    }

    /// The sum of two dims, when it stays representable (equal symbols add coefficients).
    public static func + (lhs: Dim, rhs: Dim) -> Dim {
        guard let a = lhs.monomial, let b = rhs.monomial else { return .unknown }
        // Coefficients come from files: a sum that overflows is unknown rather than a trap.
        let (sum, overflow) = a.coefficient.addingReportingOverflow(b.coefficient)
        guard !overflow else { return .unknown }
        switch (a.symbol, b.symbol) {
        case (nil, nil): return .fixed(sum)
        case (let x?, let y?) where x == y: return Dim(coefficient: sum, symbol: x)
        default: return .unknown
        }
    }

    /// `lhs / rhs` when it divides exactly (e.g. `N*16 / 16 = N`), else nil.
    public static func exactQuotient(_ lhs: Dim, _ rhs: Dim) -> Dim? {
        guard let a = lhs.monomial, let b = rhs.monomial, b.coefficient > 0, a.coefficient % b.coefficient == 0 else {
            return nil
        }
        let coefficient = a.coefficient / b.coefficient
        switch (a.symbol, b.symbol) {
        case (nil, nil): return .fixed(coefficient)
        case (let symbol?, nil): return Dim(coefficient: coefficient, symbol: symbol)
        case (let x?, let y?) where x == y: return .fixed(coefficient)
        default: return nil
        }
    }

    /// The product of `dims` (1 for none).
    public static func product(_ dims: some Sequence<Dim>) -> Dim {
        dims.reduce(.fixed(1), *)
    }

    public var description: String {
        switch self {
        case .fixed(let value): String(value)
        case .symbol(let name): name
        case .product(let coefficient, let name): "\(name)*\(coefficient)"
        case .unknown: "?"
        }
    }
}

extension Dim: ExpressibleByIntegerLiteral {
    /// `64` as a fixed dim.
    public init(integerLiteral value: Int) { self = .fixed(value) }
}
