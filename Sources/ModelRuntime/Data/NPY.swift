import Foundation

/// numpy `.npy` files (format versions 1.0, 2.0 and 3.0; C order only), to and from `Tensor`.
///
/// Read dtypes, and the element type each becomes:
///
/// | dtype | tensor | note |
/// |---|---|---|
/// | `<f4` | float32 | |
/// | `<f8`, `<f2` | float32 | rounded to nearest; out-of-range values become ±Inf |
/// | `<i8` | int64 | |
/// | `<i4`, `<i2`, `<u2`, `\|i1` | int32 | |
/// | `<u4` | int64 | |
/// | `\|u1` | uint8 | |
/// | `\|b1` | bool | any non-zero byte reads as 1 |
///
/// Big-endian (`>`), object (`|O`), structured, string and complex dtypes, and Fortran-order
/// arrays, are rejected with a `DataError` that says how to re-save the file. Writing produces
/// version 1.0 with the header padded so the data starts at a multiple of 64 bytes, as numpy does.
public enum NPY {
    /// Reads a `.npy` file.
    public static func read(_ url: URL, limits: DataLimits = DataLimits()) throws(DataError) -> Tensor {
        try read(DataFile.read(url, limits: limits), file: url.path, limits: limits)
    }

    /// Reads `.npy` bytes; `file` names them in errors.
    public static func read(_ data: Data, file: String, limits: DataLimits = DataLimits()) throws(DataError) -> Tensor {
        try read(data, file: file, member: nil, limits: limits)
    }

    /// Reads `.npy` bytes that are `member` of the archive `file` (for `.npz`).
    static func read(_ data: Data, file: String, member: String?, limits: DataLimits) throws(DataError) -> Tensor {
        let header = try NPYHeader.parse(data, file: file, member: member)
        let dtype = try NPYDType.resolve(header.descr, file: file, member: member)
        if header.fortranOrder {
            throw .fortranOrder(file: file, member: member, shape: header.shape)
        }
        let count = try limits.elementCount(
            of: header.shape, elementBytes: max(dtype.byteSize, dtype.elementType.byteSize), file: file,
            member: member)
        let needed = count * dtype.byteSize
        let available = data.count - header.dataOffset
        if available < needed {
            throw .truncated(
                file: file, member: member, what: "array data for shape \(header.shape) (\(header.descr))",
                offset: header.dataOffset, needed: needed, available: available)
        }
        if available > needed {
            throw .trailingBytes(
                file: file, member: member, offset: header.dataOffset + needed, count: available - needed)
        }
        var tensor = Tensor(zeros: header.shape, type: dtype.elementType)
        tensor.withUnsafeMutableBytes { (destination: UnsafeMutableRawBufferPointer) in
            data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                let start = header.dataOffset
                dtype.convert(
                    UnsafeRawBufferPointer(rebasing: raw[start..<(start + needed)]), count: count,
                    into: destination)
            }
        }
        return tensor
    }

    /// The `.npy` (version 1.0) bytes of `tensor`: `<f4`, `<i8`, `<i4`, `|u1` or `|b1`.
    public static func encode(_ tensor: Tensor) -> Data {
        var data = NPYHeader.encode(descr: descr(of: tensor.elementType), shape: tensor.shape)
        tensor.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// Writes `tensor` as a `.npy` file, atomically (temporary file, then rename).
    public static func write(_ tensor: Tensor, to url: URL) throws(DataError) {
        try DataFile.writeAtomically(encode(tensor), to: url)
    }

    /// The numpy type string for a runtime element type.
    static func descr(of type: ElementType) -> String {
        switch type {
        case .float32: "<f4"
        case .int64: "<i8"
        case .int32: "<i4"
        case .uint8: "|u1"
        case .bool: "|b1"
        }
    }
}

/// A numpy dtype the reader accepts: its code (kind and size, `f4`) and the runtime type it becomes.
struct NPYDType {
    let code: String
    let byteSize: Int
    let elementType: ElementType

    /// Every accepted code, with its runtime type.
    static let supported: [String: NPYDType] = {
        let all: [NPYDType] = [
            NPYDType(code: "f4", byteSize: 4, elementType: .float32),
            NPYDType(code: "f8", byteSize: 8, elementType: .float32),
            NPYDType(code: "f2", byteSize: 2, elementType: .float32),
            NPYDType(code: "i8", byteSize: 8, elementType: .int64),
            NPYDType(code: "i4", byteSize: 4, elementType: .int32),
            NPYDType(code: "i2", byteSize: 2, elementType: .int32),
            NPYDType(code: "u2", byteSize: 2, elementType: .int32),
            NPYDType(code: "i1", byteSize: 1, elementType: .int32),
            NPYDType(code: "u4", byteSize: 4, elementType: .int64),
            NPYDType(code: "u1", byteSize: 1, elementType: .uint8),
            NPYDType(code: "b1", byteSize: 1, elementType: .bool),
        ]
        return Dictionary(uniqueKeysWithValues: all.map { ($0.code, $0) })
    }()

    /// The dtype for a `descr` string such as `<f4`, or the error that explains why it is not read.
    static func resolve(_ descr: String, file: String, member: String?) throws(DataError) -> NPYDType {
        guard let order = descr.first, "<>|=".contains(order) else {
            throw .unsupportedDType(
                file: file, member: member, dtype: descr, reason: "it does not start with a byte order (<, >, |)")
        }
        let code = String(descr.dropFirst())
        if code.hasPrefix("O") { throw .objectArray(file: file, member: member) }
        guard let dtype = supported[code] else {
            let names = supported.keys.sorted().joined(separator: ", ")
            throw .unsupportedDType(file: file, member: member, dtype: descr, reason: "the readable codes are \(names)")
        }
        if order == ">" && dtype.byteSize > 1 {
            throw .unsupportedDType(
                file: file, member: member, dtype: descr,
                reason: "big-endian data is not read; save with arr.astype('<\(code)')")
        }
        return dtype
    }

    /// Converts `count` little-endian elements of this dtype in `source` to the runtime type.
    func convert(_ source: UnsafeRawBufferPointer, count: Int, into destination: UnsafeMutableRawBufferPointer) {
        switch code {
        case "f4", "i8", "i4", "u1":
            destination.copyMemory(from: source)
        case "b1":
            for index in 0..<count { destination[index] = source[index] == 0 ? 0 : 1 }
        case "f8":
            widen(source, count, Double.self, into: destination) { Float($0) }
        case "f2":
            widen(source, count, Float16.self, into: destination) { Float($0) }
        case "i2":
            widen(source, count, Int16.self, into: destination) { Int32($0) }
        case "u2":
            widen(source, count, UInt16.self, into: destination) { Int32($0) }
        case "i1":
            widen(source, count, Int8.self, into: destination) { Int32($0) }
        case "u4":
            widen(source, count, UInt32.self, into: destination) { Int64($0) }
        default:
            break  // `supported` holds no other code
        }
    }

    private func widen<Source: BitwiseCopyable, Target: BitwiseCopyable>(
        _ source: UnsafeRawBufferPointer, _ count: Int, _: Source.Type,
        into destination: UnsafeMutableRawBufferPointer, _ transform: (Source) -> Target
    ) {
        let sourceStride = MemoryLayout<Source>.size
        let targetStride = MemoryLayout<Target>.size
        for index in 0..<count {
            let value = source.loadUnaligned(fromByteOffset: index * sourceStride, as: Source.self)
            destination.storeBytes(of: transform(value), toByteOffset: index * targetStride, as: Target.self)
        }
    }
}
