import Foundation

/// IDX files, the layout of the MNIST distribution (`train-images-idx3-ubyte[.gz]`), to `Tensor`.
///
/// Layout: the magic number `00 00 <type> <ndims>`, then `ndims` big-endian 32-bit dimensions,
/// then the elements big-endian in row-major order. Element types, and the tensor type each becomes:
///
/// | code | IDX type | tensor |
/// |---|---|---|
/// | `0x08` | unsigned byte | uint8 |
/// | `0x09` | signed byte | int32 |
/// | `0x0B` | short (16-bit) | int32 |
/// | `0x0C` | int (32-bit) | int32 |
/// | `0x0D` | float (32-bit) | float32 |
/// | `0x0E` | double (64-bit) | float32 |
///
/// gzip data (by content, whatever the file is called) is inflated first.
public enum IDX {
    /// Reads the IDX file at `url`.
    public static func read(_ url: URL, limits: DataLimits = DataLimits()) throws(DataError) -> Tensor {
        try read(DataFile.read(url, limits: limits), file: url.path, limits: limits)
    }

    /// Reads IDX bytes (plain or gzip); `file` names them in errors.
    public static func read(_ data: Data, file: String, limits: DataLimits = DataLimits()) throws(DataError) -> Tensor {
        let bytes = Zlib.isGzip(data) ? try Zlib.gunzip(data, limit: limits.maxArrayBytes, file: file) : data
        var reader = ByteReader(bytes, file: file)
        let magic = (0..<min(4, bytes.count)).map { bytes[bytes.startIndex + $0] }
        guard magic.count == 4 else {
            throw .idxMagic(file: file, found: magic, reason: "the file is shorter than the 4-byte magic number")
        }
        guard magic[0] == 0, magic[1] == 0 else {
            throw .idxMagic(file: file, found: magic, reason: "the first two bytes must be zero: not an IDX file")
        }
        guard let type = ElementCode(rawValue: magic[2]) else {
            throw .idxMagic(
                file: file, found: magic, reason: "type code \(magic[2]) is not 0x08, 0x09, 0x0B, 0x0C, 0x0D or 0x0E")
        }
        try reader.skip(4, for: "IDX magic number")
        var shape: [Int] = []
        for _ in 0..<Int(magic[3]) {
            shape.append(Int(try reader.bigEndian(4, for: "IDX dimensions")))
        }
        let count = try limits.elementCount(
            of: shape, elementBytes: max(type.byteSize, type.elementType.byteSize), file: file, member: nil)
        let needed = count * type.byteSize
        if reader.remaining < needed {
            throw .truncated(
                file: file, member: nil, what: "IDX data for shape \(shape)", offset: reader.offset, needed: needed,
                available: reader.remaining)
        }
        if reader.remaining > needed {
            throw .trailingBytes(
                file: file, member: nil, offset: reader.offset + needed, count: reader.remaining - needed)
        }
        var tensor = Tensor(zeros: shape, type: type.elementType)
        let start = reader.offset
        tensor.withUnsafeMutableBytes { (destination: UnsafeMutableRawBufferPointer) in
            bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                type.convert(
                    UnsafeRawBufferPointer(rebasing: raw[start..<(start + needed)]), count: count,
                    into: destination)
            }
        }
        return tensor
    }

    /// The IDX element type codes.
    enum ElementCode: UInt8 {
        case unsignedByte = 0x08
        case signedByte = 0x09
        case short = 0x0B
        case int = 0x0C
        case float = 0x0D
        case double = 0x0E

        /// Bytes per element in the file.
        var byteSize: Int {
            switch self {
            case .unsignedByte, .signedByte: 1
            case .short: 2
            case .int, .float: 4
            case .double: 8
            }
        }

        /// The tensor element type this code becomes.
        var elementType: ElementType {
            switch self {
            case .unsignedByte: .uint8
            case .signedByte, .short, .int: .int32
            case .float, .double: .float32
            }
        }

        /// Converts `count` big-endian elements in `source` to the tensor type.
        func convert(_ source: UnsafeRawBufferPointer, count: Int, into destination: UnsafeMutableRawBufferPointer) {
            switch self {
            case .unsignedByte:
                destination.copyMemory(from: source)
            case .signedByte:
                for index in 0..<count {
                    destination.storeBytes(
                        of: Int32(Int8(bitPattern: source[index])), toByteOffset: 4 * index,
                        as: Int32.self)
                }
            case .short:
                for index in 0..<count {
                    let value = Int16(bigEndian: source.loadUnaligned(fromByteOffset: 2 * index, as: Int16.self))
                    destination.storeBytes(of: Int32(value), toByteOffset: 4 * index, as: Int32.self)
                }
            case .int:
                for index in 0..<count {
                    let value = Int32(bigEndian: source.loadUnaligned(fromByteOffset: 4 * index, as: Int32.self))
                    destination.storeBytes(of: value, toByteOffset: 4 * index, as: Int32.self)
                }
            case .float:
                for index in 0..<count {
                    let bits = UInt32(bigEndian: source.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
                    destination.storeBytes(of: Float(bitPattern: bits), toByteOffset: 4 * index, as: Float.self)
                }
            case .double:
                for index in 0..<count {
                    let bits = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: 8 * index, as: UInt64.self))
                    destination.storeBytes(of: Float(Double(bitPattern: bits)), toByteOffset: 4 * index, as: Float.self)
                }
            }
        }
    }
}
