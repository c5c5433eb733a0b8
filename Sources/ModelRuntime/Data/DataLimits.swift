import Foundation

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

/// Whole-file reads and atomic writes with errors in the `DataError` domain.
enum DataFile {
    /// The bytes of `url` (memory-mapped when the system allows), refusing files over the limit.
    static func read(_ url: URL, limits: DataLimits) throws(DataError) -> Data {
        let path = url.path
        let attributes: [FileAttributeKey: Any]
        do {
            attributes = try FileManager.default.attributesOfItem(atPath: path)
        } catch {
            throw .unreadable(file: path, reason: "no such file or not accessible")
        }
        if (attributes[.type] as? FileAttributeType) == .typeDirectory {
            throw .unreadable(file: path, reason: "it is a directory")
        }
        if let size = attributes[.size] as? Int, size > limits.maxFileBytes {
            throw .limitExceeded(
                file: path, member: nil, what: "file size", value: "\(size) bytes",
                limit: "\(limits.maxFileBytes) bytes")
        }
        do {
            return try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw .unreadable(file: path, reason: error.localizedDescription)
        }
    }

    /// Writes `data` to a temporary file beside `url`, flushes it, then renames it over `url`.
    static func writeAtomically(_ data: Data, to url: URL) throws(DataError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        do {
            try data.write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(file: url.path, reason: error.localizedDescription)
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw .writeFailed(file: url.path, reason: reason)
        }
    }
}
