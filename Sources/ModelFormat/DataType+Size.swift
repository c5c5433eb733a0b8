/// Storage facts about ONNX element types.
extension ProtoDataType {
    /// Bytes per element in `raw_data`, or nil for types without a fixed size (STRING, UNDEFINED).
    public var byteSize: Int? {
        switch self {
        case .float, .int32, .uint32: 4
        case .uint8, .int8, .bool: 1
        case .uint16, .int16, .float16, .bfloat16: 2
        case .int64, .uint64, .double, .complex64: 8
        case .complex128: 16
        case .undefined, .string, .UNRECOGNIZED: nil
        }
    }

    /// The type with "unset means FLOAT" applied.
    public var resolved: ProtoDataType { self == .undefined ? .float : self }

    /// ONNX spelling, e.g. "FLOAT".
    public var onnxName: String {
        switch self {
        case .UNRECOGNIZED(let code): "UNRECOGNIZED(\(code))"
        default: String(describing: self).uppercased()
        }
    }
}
