import Foundation

/// Where a tensor's payload is read from: the model's folder (for external data), the file
/// name used in messages, and the limits in force.
public struct PayloadContext: Sendable {
    /// Folder against which `ExternalData.location` is resolved; nil forbids external data.
    public var modelDirectory: URL?
    /// File named in error messages.
    public var fileName: String?
    /// Limits on shape and size.
    public var limits: FormatLimits

    /// A context for a model read from `modelFile` (nil for in-memory models).
    public init(modelFile: URL? = nil, limits: FormatLimits = .default) {
        self.modelDirectory = modelFile?.deletingLastPathComponent()
        self.fileName = modelFile?.path
        self.limits = limits
    }
}

/// Validation and decoding of a tensor's shape and stored values.
extension ProtoTensor {
    /// Whether the tensor stores its values (rather than only a filler rule).
    public var hasStoredValues: Bool {
        hasExternal || !rawData.isEmpty || !floatData.isEmpty || !int64Data.isEmpty || !doubleData.isEmpty
    }

    /// The shape as `Int`s, after checking every dim is non-negative and the element count
    /// and byte size stay within `limits`.
    public func validatedShape(limits: FormatLimits = .default) throws(FormatError) -> [Int] {
        guard dims.count <= limits.maxRank else {
            throw .limitExceeded(file: nil, what: "rank of tensor '\(name)'", value: "\(dims.count)", limit: "\(limits.maxRank)")
        }
        var count = 1
        for (axis, dim) in dims.enumerated() {
            guard dim >= 0 else {
                throw .invalidTensor(file: nil, tensor: name, field: "dims[\(axis)]", reason: "negative dimension \(dim)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: Int(dim))
            guard !overflow else {
                throw .invalidTensor(
                    file: nil, tensor: name, field: "dims",
                    reason: "the element count of \(dims) overflows a 64-bit integer")
            }
            count = product
        }
        let size = dataType.resolved.byteSize ?? 1
        let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
        guard !overflow, bytes <= limits.maxTensorBytes else {
            throw .limitExceeded(
                file: nil, what: "size of tensor '\(name)' \(dims)", value: overflow ? "over 2^63 bytes" : "\(bytes) bytes",
                limit: "\(limits.maxTensorBytes) bytes")
        }
        return dims.map { Int($0) }
    }

    /// The element count implied by `dims`.
    public func elementCount(limits: FormatLimits = .default) throws(FormatError) -> Int {
        try validatedShape(limits: limits).reduce(1, *)
    }

    /// The values as little-endian element bytes, uncompressed, exactly `count × size` long.
    ///
    /// Reads, in order of precedence, `external`, `raw_data`, then the typed lists; checks that
    /// the stored amount matches `dims` and `data_type`. A filler-only tensor has no bytes yet
    /// (the compiler materialises it) and is reported as an error here.
    public func elementBytes(context: PayloadContext = PayloadContext()) throws(FormatError) -> Data {
        do {
            return try decodeElementBytes(context: context)
        } catch {
            if let file = context.fileName { throw error.attributed(to: file) }
            throw error
        }
    }

    private func decodeElementBytes(context: PayloadContext) throws(FormatError) -> Data {
        let type = dataType.resolved
        guard let size = type.byteSize else {
            throw .invalidTensor(file: nil, tensor: name, field: "data_type", reason: "\(type.onnxName) tensors are not supported")
        }
        let count = try elementCount(limits: context.limits)
        let expected = count * size
        let sources = [hasExternal, !rawData.isEmpty, !floatData.isEmpty, !int64Data.isEmpty, !doubleData.isEmpty]
        if sources.filter({ $0 }).count > 1 {
            throw .invalidTensor(
                file: nil, tensor: name, field: "raw_data/float_data/int64_data/external",
                reason: "values are stored in more than one field; keep exactly one")
        }
        if hasExternal || !rawData.isEmpty {
            let stored = hasExternal ? try ExternalDataReader.read(external, tensor: name, context: context) : rawData
            return try decodeStoredBytes(stored, expected: expected, elementSize: size, field: hasExternal ? "external" : "raw_data")
        }
        if !floatData.isEmpty {
            guard type == .float else {
                throw .invalidTensor(file: nil, tensor: name, field: "float_data", reason: "float_data holds FLOAT values, but data_type is \(type.onnxName)")
            }
            try checkCount(floatData.count, expected: count, field: "float_data")
            var bytes = Data(capacity: expected)
            for value in floatData { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            return bytes
        }
        if !doubleData.isEmpty {
            guard type == .double else {
                throw .invalidTensor(file: nil, tensor: name, field: "double_data", reason: "double_data holds DOUBLE values, but data_type is \(type.onnxName)")
            }
            try checkCount(doubleData.count, expected: count, field: "double_data")
            var bytes = Data(capacity: expected)
            for value in doubleData { withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
            return bytes
        }
        if !int64Data.isEmpty {
            try checkCount(int64Data.count, expected: count, field: "int64_data")
            return try integerBytes(type: type, expected: expected)
        }
        if count == 0 { return Data() }
        throw .invalidTensor(
            file: nil, tensor: name, field: "raw_data",
            reason: hasInit_p ? "values come from a filler and are not materialised yet (run modelc compile)"
                : "no values stored for \(count) element(s) of dims \(dims)")
    }

    private func decodeStoredBytes(_ stored: Data, expected: Int, elementSize: Int, field: String) throws(FormatError) -> Data {
        switch compression {
        case .none:
            guard stored.count == expected else {
                throw .invalidTensor(
                    file: nil, tensor: name, field: field,
                    reason: "holds \(stored.count) bytes, but dims \(dims) of \(dataType.resolved.onnxName) need \(expected)")
            }
            return stored
        case .deflate:
            return try PayloadCompression.inflate(stored, expectedCount: expected, tensor: name)
        case .shuffleDeflate:
            let inflated = try PayloadCompression.inflate(stored, expectedCount: expected, tensor: name)
            return PayloadCompression.unshuffle(inflated, elementSize: elementSize)
        case .UNRECOGNIZED(let code):
            throw .invalidTensor(file: nil, tensor: name, field: "compression", reason: "unknown compression code \(code)")
        }
    }

    private func checkCount(_ stored: Int, expected: Int, field: String) throws(FormatError) {
        guard stored == expected else {
            throw .invalidTensor(
                file: nil, tensor: name, field: field,
                reason: "holds \(stored) values, but dims \(dims) need \(expected)")
        }
    }

    /// `int64_data` narrowed to the element type, rejecting values that do not fit.
    private func integerBytes(type: ProtoDataType, expected: Int) throws(FormatError) -> Data {
        let range: ClosedRange<Int64>
        switch type {
        case .int64: range = Int64.min...Int64.max
        case .int32: range = Int64(Int32.min)...Int64(Int32.max)
        case .int16: range = Int64(Int16.min)...Int64(Int16.max)
        case .int8: range = Int64(Int8.min)...Int64(Int8.max)
        case .uint32: range = 0...Int64(UInt32.max)
        case .uint16, .float16, .bfloat16: range = 0...Int64(UInt16.max)  // 16-bit floats as bit patterns
        case .uint8: range = 0...Int64(UInt8.max)
        case .bool: range = 0...1
        default:
            throw .invalidTensor(file: nil, tensor: name, field: "int64_data", reason: "int64_data cannot hold \(type.onnxName) values")
        }
        var bytes = Data(capacity: expected)
        let size = type.byteSize ?? 8
        for (index, value) in int64Data.enumerated() {
            guard range.contains(value) else {
                throw .invalidTensor(
                    file: nil, tensor: name, field: "int64_data[\(index)]",
                    reason: "\(value) does not fit in \(type.onnxName)")
            }
            withUnsafeBytes(of: UInt64(bitPattern: value).littleEndian) { bytes.append(contentsOf: $0.prefix(size)) }
        }
        return bytes
    }

    /// FLOAT values in row-major order.
    public func floatValues(context: PayloadContext = PayloadContext()) throws(FormatError) -> [Float] {
        guard dataType.resolved == .float else {
            throw .invalidTensor(file: context.fileName, tensor: name, field: "data_type", reason: "expected FLOAT, found \(dataType.resolved.onnxName)")
        }
        if !floatData.isEmpty && !hasExternal && rawData.isEmpty {
            _ = try elementBytes(context: context)  // validates the count against dims
            return floatData
        }
        let bytes = try elementBytes(context: context)
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }

    /// The same tensor with its values stored in `raw_data` under `compression`.
    public func storing(compression: ProtoTensor.Compression, context: PayloadContext = PayloadContext()) throws(FormatError) -> ProtoTensor {
        let bytes = try elementBytes(context: context)
        var copy = self
        copy.floatData = []
        copy.int64Data = []
        copy.doubleData = []
        copy.clearExternal()
        copy.compression = compression
        let size = dataType.resolved.byteSize ?? 1
        switch compression {
        case .none, .UNRECOGNIZED: copy.rawData = bytes; copy.compression = .none
        case .deflate: copy.rawData = PayloadCompression.deflate(bytes)
        case .shuffleDeflate: copy.rawData = PayloadCompression.deflate(PayloadCompression.shuffle(bytes, elementSize: size))
        }
        return copy
    }

    /// A FLOAT tensor with values in `float_data`.
    public init(name: String, shape: [Int], floats: [Float]) {
        self.init()
        self.name = name
        self.dataType = .float
        self.dims = shape.map { Int64($0) }
        self.floatData = floats
    }
}
