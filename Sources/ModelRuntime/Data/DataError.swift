import Foundation

/// An error reading or writing a data file (`.npy`, `.npz`, `.csv[.gz]`, IDX`[.gz]`): what went
/// wrong, and where.
///
/// Every case names the file; cases about one array of an archive name the member (`x.npy`), and
/// cases about a position name the byte offset, or the line and column (1-based) of a CSV file.
/// `code` is stable (`data.npy-header`, `data.csv-parse`, ...) so tests and tools can match on
/// it; `description` renders one line in the `file: what: detail` style.
public enum DataError: Error, Equatable, Sendable {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file's kind could not be told from its extension or its first bytes.
    case unknownFormat(file: String, reason: String)
    /// A stated limit (`DataLimits`) was exceeded.
    case limitExceeded(file: String, member: String?, what: String, value: String, limit: String)
    /// The `.npy` magic, version or header dictionary is malformed.
    case npyHeader(file: String, member: String?, reason: String)
    /// The array is stored in Fortran (column-major) order; only C order is read.
    case fortranOrder(file: String, member: String?, shape: [Int])
    /// The array holds Python objects (`|O`), which need pickle and are never read.
    case objectArray(file: String, member: String?)
    /// The element type (`descr`) is not one the runtime reads; `reason` says why.
    case unsupportedDType(file: String, member: String?, dtype: String, reason: String)
    /// The file ends before the data its header declares: `needed` bytes from `offset`, `available` present.
    case truncated(file: String, member: String?, what: String, offset: Int, needed: Int, available: Int)
    /// Bytes follow the data the header declares (a wrong shape or a corrupt file).
    case trailingBytes(file: String, member: String?, offset: Int, count: Int)
    /// The zip archive (`.npz`) is malformed or uses a feature that is not read.
    case zip(file: String, member: String?, offset: Int?, reason: String)
    /// A zip member's CRC-32 differs from the one its directory entry records.
    case crcMismatch(file: String, member: String, expected: UInt32, found: UInt32)
    /// Compressed bytes (deflate, gzip) are corrupt or inflate past their declared or allowed size.
    case decompression(file: String, member: String?, reason: String)
    /// A CSV cell or row cannot be read: line and column are 1-based; the column counts fields.
    case csvParse(file: String, line: Int, column: Int?, reason: String)
    /// The CSV label column does not name a column of the file.
    case labelColumn(file: String, column: String, reason: String)
    /// The IDX magic number (`00 00 type ndims`) is wrong or names an unknown element type.
    case idxMagic(file: String, found: [UInt8], reason: String)
    /// Two arrays of a dataset disagree on the first (sample) dimension.
    case shapeMismatch(file: String, array: String, shape: [Int], other: String, otherShape: [Int])
    /// A dataset array has no first dimension to count samples by.
    case scalarArray(file: String, array: String)
    /// The file holds no samples or no arrays.
    case empty(file: String, reason: String)
    /// A float array holds NaN or ±Inf; `index` is the first offending element (row-major).
    case nonFinite(file: String, array: String, index: [Int], value: String)
    /// Writing the file failed; the destination is unchanged.
    case writeFailed(file: String, reason: String)

    /// Stable machine-readable code of the error.
    public var code: String {
        switch self {
        case .unreadable: "data.unreadable"
        case .unknownFormat: "data.unknown-format"
        case .limitExceeded: "data.limit-exceeded"
        case .npyHeader: "data.npy-header"
        case .fortranOrder: "data.fortran-order"
        case .objectArray: "data.object-array"
        case .unsupportedDType: "data.unsupported-dtype"
        case .truncated: "data.truncated"
        case .trailingBytes: "data.trailing-bytes"
        case .zip: "data.zip"
        case .crcMismatch: "data.crc-mismatch"
        case .decompression: "data.decompression"
        case .csvParse: "data.csv-parse"
        case .labelColumn: "data.label-column"
        case .idxMagic: "data.idx-magic"
        case .shapeMismatch: "data.shape-mismatch"
        case .scalarArray: "data.scalar-array"
        case .empty: "data.empty"
        case .nonFinite: "data.non-finite"
        case .writeFailed: "data.write-failed"
        }
    }

    /// The file the error concerns.
    public var file: String {
        switch self {
        case .unreadable(let file, _), .unknownFormat(let file, _), .limitExceeded(let file, _, _, _, _),
            .npyHeader(let file, _, _), .fortranOrder(let file, _, _), .objectArray(let file, _),
            .unsupportedDType(let file, _, _, _), .truncated(let file, _, _, _, _, _),
            .trailingBytes(let file, _, _, _), .zip(let file, _, _, _), .crcMismatch(let file, _, _, _),
            .decompression(let file, _, _), .csvParse(let file, _, _, _), .labelColumn(let file, _, _),
            .idxMagic(let file, _, _), .shapeMismatch(let file, _, _, _, _), .scalarArray(let file, _),
            .empty(let file, _), .nonFinite(let file, _, _, _), .writeFailed(let file, _):
            file
        }
    }

    /// The archive member the error concerns (`x.npy` in an `.npz`), when there is one.
    public var member: String? {
        switch self {
        case .limitExceeded(_, let member, _, _, _), .npyHeader(_, let member, _), .fortranOrder(_, let member, _),
            .objectArray(_, let member), .unsupportedDType(_, let member, _, _), .truncated(_, let member, _, _, _, _),
            .trailingBytes(_, let member, _, _), .zip(_, let member, _, _), .decompression(_, let member, _):
            member
        case .crcMismatch(_, let member, _, _):
            member
        default:
            nil
        }
    }
}

extension DataError: CustomStringConvertible {
    /// One line: `<file>[<member>]: <what>: <detail>`, or `<file>:<line>:<column>: <detail>` for CSV.
    public var description: String {
        let place = member.map { "\(file)[\($0)]" } ?? file
        switch self {
        case .unreadable(_, let reason):
            return "\(place): cannot read the file: \(reason)"
        case .unknownFormat(_, let reason):
            return "\(place): unknown data format: \(reason)"
        case .limitExceeded(_, _, let what, let value, let limit):
            return "\(place): \(what) is \(value), over the limit of \(limit) (DataLimits)"
        case .npyHeader(_, _, let reason):
            return "\(place): bad .npy header: \(reason)"
        case .fortranOrder(_, _, let shape):
            return "\(place): array \(shape) is stored in Fortran order; save it in C order "
                + "(numpy.ascontiguousarray) before writing"
        case .objectArray:
            return "\(place): object arrays (dtype |O) need pickle and are not read; save a numeric dtype"
        case .unsupportedDType(_, _, let dtype, let reason):
            return "\(place): dtype '\(dtype)' is not supported: \(reason)"
        case .truncated(_, _, let what, let offset, let needed, let available):
            return "\(place): truncated \(what): needs \(needed) bytes at offset \(offset), "
                + "but only \(available) remain"
        case .trailingBytes(_, _, let offset, let count):
            return "\(place): \(count) unexpected bytes follow the data at offset \(offset) "
                + "(wrong shape or corrupt file)"
        case .zip(_, _, let offset, let reason):
            return "\(place): bad zip archive\(offset.map { " at offset \($0)" } ?? ""): \(reason)"
        case .crcMismatch(_, _, let expected, let found):
            return "\(place): CRC-32 mismatch: the directory records \(hex(expected)), the data has \(hex(found))"
        case .decompression(_, _, let reason):
            return "\(place): cannot decompress: \(reason)"
        case .csvParse(_, let line, let column, let reason):
            return "\(file):\(line)\(column.map { ":\($0)" } ?? ""): \(reason)"
        case .labelColumn(_, let column, let reason):
            return "\(place): label column \(column): \(reason)"
        case .idxMagic(_, let found, let reason):
            let bytes = found.map { hex($0) }.joined(separator: " ")
            return "\(place): bad IDX magic number [\(bytes)]: \(reason)"
        case .shapeMismatch(_, let array, let shape, let other, let otherShape):
            return "\(place): arrays disagree on the sample count (first dimension): '\(array)' is \(shape), "
                + "'\(other)' is \(otherShape)"
        case .scalarArray(_, let array):
            return "\(place): array '\(array)' is a scalar; dataset arrays need a first (sample) dimension"
        case .empty(_, let reason):
            return "\(place): no data: \(reason)"
        case .nonFinite(_, let array, let index, let value):
            return "\(place): array '\(array)' holds \(value) at index \(index) (first non-finite element)"
        case .writeFailed(_, let reason):
            return "\(place): cannot write the file (left unchanged): \(reason)"
        }
    }
}

/// `0x1234ABCD`-style rendering of a CRC.
private func hex(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

/// `0x0A`-style rendering of a byte.
private func hex(_ value: UInt8) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return "0x" + (digits.count < 2 ? "0" : "") + digits
}
