import Foundation

/// Bounds-checked reads of little- and big-endian integers from file bytes.
///
/// Offsets are relative to the start of `data` (which may be a slice), and every read that would
/// pass the end throws `DataError.truncated` naming the file, member, what was being read and
/// where, so no reader indexes `Data` directly.
struct ByteReader {
    let data: Data
    let file: String
    let member: String?
    /// The next read position, relative to the start of `data`.
    var offset: Int = 0

    init(_ data: Data, file: String, member: String? = nil, offset: Int = 0) {
        self.data = data
        self.file = file
        self.member = member
        self.offset = offset
    }

    /// Bytes left after `offset`.
    var remaining: Int { max(0, data.count - offset) }

    /// Throws `truncated` unless `count` bytes are available at `position`.
    func require(_ count: Int, at position: Int, for what: String) throws(DataError) {
        let available = max(0, data.count - position)
        if position < 0 || count < 0 || count > available {
            throw .truncated(
                file: file, member: member, what: what, offset: position, needed: count, available: available)
        }
    }

    /// The `count` bytes at `offset`, advancing past them.
    mutating func bytes(_ count: Int, for what: String) throws(DataError) -> Data {
        try require(count, at: offset, for: what)
        let start = data.startIndex + offset
        offset += count
        return data[start..<(start + count)]
    }

    /// Skips `count` bytes.
    mutating func skip(_ count: Int, for what: String) throws(DataError) {
        try require(count, at: offset, for: what)
        offset += count
    }

    /// An unsigned little-endian integer of `byteCount` (1...8) bytes at `offset`, advancing.
    mutating func littleEndian(_ byteCount: Int, for what: String) throws(DataError) -> UInt64 {
        let value = try Self.unsigned(
            in: data, at: offset, byteCount: byteCount, bigEndian: false, reader: self,
            what: what)
        offset += byteCount
        return value
    }

    /// An unsigned big-endian integer of `byteCount` (1...8) bytes at `offset`, advancing.
    mutating func bigEndian(_ byteCount: Int, for what: String) throws(DataError) -> UInt64 {
        let value = try Self.unsigned(
            in: data, at: offset, byteCount: byteCount, bigEndian: true, reader: self,
            what: what)
        offset += byteCount
        return value
    }

    /// A little-endian integer of `byteCount` bytes at an absolute `position`, without moving.
    func littleEndian(_ byteCount: Int, at position: Int, for what: String) throws(DataError) -> UInt64 {
        try Self.unsigned(in: data, at: position, byteCount: byteCount, bigEndian: false, reader: self, what: what)
    }

    private static func unsigned(
        in data: Data, at position: Int, byteCount: Int, bigEndian: Bool, reader: ByteReader, what: String
    ) throws(DataError) -> UInt64 {
        try reader.require(byteCount, at: position, for: what)
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> UInt64 in
            var value: UInt64 = 0
            for index in 0..<byteCount {
                let byte = UInt64(raw[position + (bigEndian ? index : byteCount - 1 - index)])
                value = value << 8 | byte
            }
            return value
        }
    }
}
