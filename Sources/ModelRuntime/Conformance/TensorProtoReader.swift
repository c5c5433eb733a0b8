import Foundation
import ModelFormat

/// An error reading an ONNX `TensorProto` file (the `input_*.pb` / `output_*.pb` of the ONNX
/// backend tests): the file is unreadable or malformed, its element type is one the runtime
/// does not store, or its shape and stored values disagree.
public enum TensorProtoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read, or is not a valid TensorProto.
    case unreadable(file: String, reason: String)
    /// The element type has no runtime equivalent (DOUBLE, INT8, STRING, FLOAT8...).
    case unsupportedType(file: String?, tensor: String, type: String)
    /// Shape, type and stored values disagree, or a feature is used that we do not read.
    case invalid(file: String?, tensor: String, field: String, reason: String)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .unreadable: "tensor-proto.unreadable"
        case .unsupportedType: "tensor-proto.unsupported-type"
        case .invalid: "tensor-proto.invalid"
        }
    }

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read the TensorProto: \(reason)"
        case .unsupportedType(let file, let tensor, let type):
            return "\(file.map { "\($0): " } ?? "")tensor '\(tensor)': \(type) tensors are not supported by the runtime"
        case .invalid(let file, let tensor, let field, let reason):
            return "\(file.map { "\($0): " } ?? "")tensor '\(tensor)', field \(field): \(reason)"
        }
    }

    /// The same error naming `file` when it did not name one yet.
    func attributed(to file: String) -> TensorProtoError {
        switch self {
        case .unsupportedType(nil, let tensor, let type): .unsupportedType(file: file, tensor: tensor, type: type)
        case .invalid(nil, let tensor, let field, let reason):
            .invalid(file: file, tensor: tensor, field: field, reason: reason)
        default: self
        }
    }
}

/// Converts ONNX `TensorProto` messages into runtime `Tensor`s.
///
/// Reads `raw_data` (little-endian) or the typed field the ONNX spec assigns to each type:
/// `float_data` for FLOAT, `int64_data` for INT64, `int32_data` for INT32, UINT8, BOOL and
/// FLOAT16 (as bit patterns). FLOAT16 is widened to float32, as the runtime does for
/// initializers. The stored amount must match `dims` exactly; values must fit their type.
/// External data, strings and the other element types are refused with a typed error.
public enum TensorProtoReader {
    /// Reads and converts the TensorProto in `url`; errors name the file.
    public static func read(_ url: URL, limits: FormatLimits = .default) throws(TensorProtoError) -> (
        name: String, tensor: Tensor
    ) {
        let bytes: Data
        do {
            bytes = try FileBytes.read(url, limit: limits.maxFileBytes)
        } catch {
            // FormatError's text starts with the path this error names again.
            let text = error.description
            throw .unreadable(
                file: url.path,
                reason: text.hasPrefix(url.path + ": ") ? String(text.dropFirst(url.path.count + 2)) : text)
        }
        let proto: Onnx_TensorProto
        do {
            proto = try Onnx_TensorProto(serializedBytes: bytes)
        } catch {
            throw .unreadable(file: url.path, reason: describeDecodingError(error))
        }
        do {
            return (proto.name, try tensor(from: proto, limits: limits))
        } catch {
            throw error.attributed(to: url.path)
        }
    }

    /// A sentence for a swift-protobuf decoding error.
    private static func describeDecodingError(_ error: any Error) -> String {
        switch String(describing: error) {
        case "truncated": "truncated: the data ends inside a field"
        case "malformedProtobuf": "malformed protobuf: bytes that are not a valid field encoding"
        case let other: other
        }
    }

    /// The runtime tensor holding `proto`'s values.
    public static func tensor(from proto: Onnx_TensorProto, limits: FormatLimits = .default) throws(TensorProtoError)
        -> Tensor
    {
        let name = proto.name
        let type = (ProtoDataType(rawValue: Int(proto.dataType)) ?? .UNRECOGNIZED(Int(proto.dataType))).resolved
        func invalid(_ field: String, _ reason: String) -> TensorProtoError {
            .invalid(file: nil, tensor: name, field: field, reason: reason)
        }
        let elementType: ElementType
        switch type {
        case .float, .float16: elementType = .float32
        case .int64: elementType = .int64
        case .int32: elementType = .int32
        case .uint8: elementType = .uint8
        case .bool: elementType = .bool
        default: throw .unsupportedType(file: nil, tensor: name, type: type.onnxName)
        }
        if proto.dataLocation == .external || !proto.externalData.isEmpty {
            throw invalid("data_location", "external data is not read by the conformance runner")
        }
        let shape = try validatedShape(proto, storedSize: type == .float16 ? 2 : elementType.byteSize, limits: limits)
        let count = shape.reduce(1, *)

        let fields: [(String, Bool)] = [
            ("raw_data", proto.hasRawData && !proto.rawData.isEmpty), ("float_data", !proto.floatData.isEmpty),
            ("int32_data", !proto.int32Data.isEmpty), ("int64_data", !proto.int64Data.isEmpty),
            ("double_data", !proto.doubleData.isEmpty), ("uint64_data", !proto.uint64Data.isEmpty),
            ("string_data", !proto.stringData.isEmpty),
        ]
        let used = fields.filter(\.1).map(\.0)
        guard used.count <= 1 else {
            throw invalid(used.joined(separator: "/"), "values are stored in more than one field")
        }
        func checkCount(_ stored: Int, _ field: String) throws(TensorProtoError) {
            guard stored == count else {
                throw invalid(field, "holds \(stored) values, but dims \(proto.dims) need \(count)")
            }
        }

        switch used.first {
        case nil:
            guard count == 0 else {
                throw invalid("raw_data", "no values stored for \(count) element(s) of dims \(proto.dims)")
            }
            return Tensor(zeros: shape, type: elementType)
        case "raw_data":
            let size = type == .float16 ? 2 : elementType.byteSize
            guard proto.rawData.count == count * size else {
                throw invalid(
                    "raw_data",
                    "holds \(proto.rawData.count) bytes, but dims \(proto.dims) of \(type.onnxName) need \(count * size)"
                )
            }
            if type == .float16 {
                let halves: [UInt16] = proto.rawData.withUnsafeBytes { raw in
                    (0..<count).map { UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self)) }
                }
                return Tensor(shape: shape, scalars: halves.map { Float(Float16(bitPattern: $0)) })
            }
            if type == .bool, let bad = proto.rawData.firstIndex(where: { $0 > 1 }) {
                throw invalid(
                    "raw_data[\(bad - proto.rawData.startIndex)]", "BOOL byte \(proto.rawData[bad]) is neither 0 nor 1")
            }
            guard let tensor = Tensor(shape: shape, type: elementType, bytes: proto.rawData) else {
                throw invalid("raw_data", "does not match dims \(proto.dims)")
            }
            return tensor
        case "float_data":
            guard type == .float else {
                throw invalid("float_data", "float_data holds FLOAT values, but data_type is \(type.onnxName)")
            }
            try checkCount(proto.floatData.count, "float_data")
            return Tensor(shape: shape, scalars: proto.floatData)
        case "int64_data":
            guard type == .int64 else {
                throw invalid("int64_data", "int64_data holds INT64 values, but data_type is \(type.onnxName)")
            }
            try checkCount(proto.int64Data.count, "int64_data")
            return Tensor(shape: shape, int64s: proto.int64Data)
        case "int32_data":
            try checkCount(proto.int32Data.count, "int32_data")
            return try int32Field(proto.int32Data, type: type, shape: shape, invalid: invalid)
        case let field?:
            throw invalid(field, "\(field) cannot hold \(type.onnxName) values")
        }
    }

    /// `int32_data`, which carries INT32, UINT8, BOOL and FLOAT16 (bit patterns in the low 16 bits).
    private static func int32Field(
        _ values: [Int32], type: ProtoDataType, shape: [Int], invalid: (String, String) -> TensorProtoError
    ) throws(TensorProtoError) -> Tensor {
        var bytes = Data()
        switch type {
        case .int32:
            bytes.reserveCapacity(values.count * 4)
            for value in values { withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) } }
            guard let tensor = Tensor(shape: shape, type: .int32, bytes: bytes) else {
                throw invalid("int32_data", "does not match dims")
            }
            return tensor
        case .uint8, .bool:
            let range: ClosedRange<Int32> = type == .bool ? 0...1 : 0...255
            for (index, value) in values.enumerated() {
                guard range.contains(value) else {
                    throw invalid("int32_data[\(index)]", "\(value) does not fit in \(type.onnxName)")
                }
                bytes.append(UInt8(value))
            }
            guard let tensor = Tensor(shape: shape, type: type == .bool ? .bool : .uint8, bytes: bytes) else {
                throw invalid("int32_data", "does not match dims")
            }
            return tensor
        case .float16:
            var floats: [Float] = []
            floats.reserveCapacity(values.count)
            for (index, value) in values.enumerated() {
                guard (0...Int32(UInt16.max)).contains(value) else {
                    throw invalid("int32_data[\(index)]", "\(value) is not a FLOAT16 bit pattern")
                }
                floats.append(Float(Float16(bitPattern: UInt16(value))))
            }
            return Tensor(shape: shape, scalars: floats)
        default:
            throw invalid("int32_data", "int32_data cannot hold \(type.onnxName) values")
        }
    }

    /// `dims` as `Int`s after checking they are non-negative and the size stays within `limits`.
    private static func validatedShape(
        _ proto: Onnx_TensorProto, storedSize: Int, limits: FormatLimits
    ) throws(TensorProtoError) -> [Int] {
        guard proto.dims.count <= limits.maxRank else {
            throw .invalid(
                file: nil, tensor: proto.name, field: "dims",
                reason: "rank \(proto.dims.count) exceeds the limit \(limits.maxRank)")
        }
        var count = 1
        for (axis, dim) in proto.dims.enumerated() {
            guard dim >= 0 else {
                throw .invalid(
                    file: nil, tensor: proto.name, field: "dims[\(axis)]", reason: "negative dimension \(dim)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow, product <= limits.maxTensorBytes / max(storedSize, 1) else {
                throw .invalid(
                    file: nil, tensor: proto.name, field: "dims",
                    reason: "dims \(proto.dims) exceed the tensor size limit of \(limits.maxTensorBytes) bytes")
            }
            count = product
        }
        return proto.dims.map { Int($0) }
    }
}
