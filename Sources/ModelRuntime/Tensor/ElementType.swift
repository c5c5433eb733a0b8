import ModelFormat

/// Element types the runtime stores (float16 is converted to float32 on load).
public enum ElementType: String, Sendable, CaseIterable, Codable {
    case float32, int64, int32, uint8, bool

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: 4
        case .int64: 8
        case .uint8, .bool: 1
        }
    }

    /// The runtime type for an ONNX data type, or nil when the runtime does not store it.
    public init?(_ type: ProtoDataType) {
        switch type.resolved {
        case .float, .float16: self = .float32
        case .int64: self = .int64
        case .int32: self = .int32
        case .uint8: self = .uint8
        case .bool: self = .bool
        default: return nil
        }
    }

    /// The ONNX data type code.
    public var protoType: ProtoDataType {
        switch self {
        case .float32: .float
        case .int64: .int64
        case .int32: .int32
        case .uint8: .uint8
        case .bool: .bool
        }
    }
}
