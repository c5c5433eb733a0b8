import Foundation
import ModelFormat

/// Bounds that every data reader applies before it allocates, so a hostile or corrupt file is
/// rejected with `DataError.limitExceeded` instead of exhausting memory.
///
/// The defaults admit any dataset that fits comfortably in a workstation's memory (MNIST as
/// float32 is 188 MB); raise them for larger files.
public struct DataLimits: Sendable, Equatable {
    /// Largest file read, in bytes (default 8 GiB).
    public var maxFileBytes: Int
    /// Largest single array in bytes after conversion, and largest inflated `.gz` or zip member
    /// (default 4 GiB).
    public var maxArrayBytes: Int
    /// Largest rank of an array (default 64, numpy's own limit).
    public var maxRank: Int
    /// Largest ratio of a deflated zip member's size to its stored size (default 200), applied
    /// to members that inflate to `decompressionRatioFromBytes` or more: a 1 MB member that
    /// inflates to 1 GB (deflate reaches ~1000×) is a bomb, not data. Small members are exempt,
    /// since an all-zero mask of a few MB legitimately compresses past any ratio.
    public var maxDecompressionRatio: Int = 200
    /// Inflated size from which `maxDecompressionRatio` applies (default 64 MiB).
    public var decompressionRatioFromBytes: Int = 64 << 20

    /// Limits with the documented defaults, or the values given.
    public init(maxFileBytes: Int = 8 << 30, maxArrayBytes: Int = 4 << 30, maxRank: Int = 64) {
        self.maxFileBytes = maxFileBytes
        self.maxArrayBytes = maxArrayBytes
        self.maxRank = maxRank
    }

    /// The element count of `shape` when every dim is non-negative and the array's size at
    /// `elementBytes` per element stays within `maxArrayBytes`; otherwise a typed error.
    func elementCount(
        of shape: [Int], elementBytes: Int, file: String, member: String?
    ) throws(DataError) -> Int {
        if shape.count > maxRank {
            throw .limitExceeded(
                file: file, member: member, what: "rank", value: "\(shape.count)", limit: "\(maxRank)")
        }
        var count = 1
        for dim in shape {
            if dim < 0 {
                throw .npyHeader(file: file, member: member, reason: "negative dimension in shape \(shape)")
            }
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            if overflow {
                throw .limitExceeded(
                    file: file, member: member, what: "element count of shape \(shape)", value: "over Int.max",
                    limit: "\(maxArrayBytes) bytes")
            }
            count = product
        }
        let (bytes, overflow) = count.multipliedReportingOverflow(by: max(elementBytes, 1))
        if overflow || bytes > maxArrayBytes {
            throw .limitExceeded(
                file: file, member: member, what: "size of array \(shape)",
                value: overflow ? "over Int.max bytes" : "\(bytes) bytes", limit: "\(maxArrayBytes) bytes")
        }
        return count
    }
}

/// Whole-file reads and atomic writes, through ModelFormat's `FileBytes` and `AtomicFile`,
/// with their errors restated in the `DataError` domain.
enum DataFile {
    /// The bytes of `url` (memory-mapped when the system allows), refusing files over the limit.
    static func read(_ url: URL, limits: DataLimits) throws(DataError) -> Data {
        do {
            return try FileBytes.read(url, limit: limits.maxFileBytes)
        } catch {
            throw DataError(error, file: url.path)
        }
    }

    /// Writes `data` to a temporary file beside `url`, flushes it, then renames it over `url`.
    static func writeAtomically(_ data: Data, to url: URL) throws(DataError) {
        do {
            try AtomicFile.write(data, to: url)
        } catch {
            throw DataError(error, file: url.path)
        }
    }
}

extension DataError {
    /// A file-level `FormatError` (unreadable, over the size limit, write failed) as a data error.
    init(_ error: FormatError, file: String) {
        switch error {
        case .limitExceeded(_, let what, let value, let limit):
            self = .limitExceeded(file: file, member: nil, what: what, value: value, limit: limit)
        case .writeFailed(_, let reason):
            self = .writeFailed(file: file, reason: reason)
        case .unreadable(_, let reason):
            self = .unreadable(file: file, reason: reason)
        default:
            self = .unreadable(file: file, reason: error.description)
        }
    }
}
