import ModelFormat

/// Element type and shape of a value; `dims == nil` means the rank is unknown.
public struct TensorType: Hashable, Sendable, CustomStringConvertible {
    public var dataType: ProtoDataType
    public var dims: [Dim]?

    public init(_ dataType: ProtoDataType, _ dims: [Dim]?) {
        self.dataType = dataType
        self.dims = dims
    }

    /// A float tensor of the given dims.
    public static func float(_ dims: [Dim]) -> TensorType { TensorType(.float, dims) }

    public var rank: Int? { dims?.count }

    /// `[N,512]`, with `FLOAT` omitted and other types appended (`[N] INT64`).
    public var description: String {
        let shape = dims.map { "[" + $0.map(\.description).joined(separator: ",") + "]" } ?? "[?]"
        return dataType == .float ? shape : "\(shape) \(dataType.onnxName)"
    }

    /// Whether two types can describe the same value: equal data types, and dims that agree
    /// wherever both are known.
    public func isCompatible(with other: TensorType) -> Bool {
        guard dataType == other.dataType else { return false }
        guard let a = dims, let b = other.dims else { return true }
        guard a.count == b.count else { return false }
        return zip(a, b).allSatisfy { x, y in x == .unknown || y == .unknown || x == y }
    }
}
