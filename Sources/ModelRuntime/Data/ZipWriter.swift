import Foundation

/// Builds a zip archive in memory, as Python's `zipfile` (and so `numpy.load`) reads it.
///
/// Members are stored or raw-deflated, with a fixed timestamp (1980-01-01 00:00) so the same
/// arrays always give the same bytes. ZIP64 records are written only when a size, offset or the
/// member count passes the 32-bit (16-bit for the count) fields, or when `forceZip64` is set.
struct ZipWriter {
    /// Write ZIP64 extra fields and end records even for a small archive (tests use this).
    var forceZip64 = false
    private(set) var archive = Data()
    private var directory = Data()
    private var count = 0

    /// The DOS date of 1980-01-01 (day 1, month 1, year 0).
    private static let dosDate: UInt64 = 0x0021

    init(forceZip64: Bool = false) {
        self.forceZip64 = forceZip64
    }

    /// Appends a member holding `contents`; `deflate` compresses it (method 8).
    mutating func add(name: String, contents: Data, deflate: Bool, file: String) throws(DataError) {
        let nameBytes = Array(name.utf8)
        guard nameBytes.count <= 0xFFFF else {
            throw .writeFailed(file: file, reason: "the member name '\(name.prefix(40))…' is over 65535 bytes")
        }
        let stored: Data
        if deflate {
            guard let compressed = Zlib.deflateRaw(contents) else {
                throw .writeFailed(file: file, reason: "zlib could not deflate member '\(name)'")
            }
            stored = compressed
        } else {
            stored = contents
        }
        let crc = UInt64(Zlib.crc32(contents))
        let offset = archive.count
        let large = forceZip64 || stored.count >= 0xFFFF_FFFF || contents.count >= 0xFFFF_FFFF
        let farOffset = forceZip64 || offset >= 0xFFFF_FFFF
        let flags: UInt64 = nameBytes.allSatisfy { $0 < 0x80 } ? 0 : 0x0800  // bit 11: the name is UTF-8
        let method: UInt64 = deflate ? 8 : 0
        let version: UInt64 = large || farOffset ? 45 : 20

        // Local header: the ZIP64 extra field holds both sizes whenever either is large.
        var localExtra = Data()
        if large {
            Self.append(&localExtra, [(1, 2), (16, 2), (UInt64(contents.count), 8), (UInt64(stored.count), 8)])
        }
        Self.append(
            &archive,
            [
                (ZipArchive.localSignature, 4), (version, 2), (flags, 2), (method, 2), (0, 2),
                (Self.dosDate, 2), (crc, 4),
            ])
        Self.append(
            &archive,
            large
                ? [(0xFFFF_FFFF, 4), (0xFFFF_FFFF, 4)]
                : [(UInt64(stored.count), 4), (UInt64(contents.count), 4)])
        Self.append(&archive, [(UInt64(nameBytes.count), 2), (UInt64(localExtra.count), 2)])
        archive.append(contentsOf: nameBytes)
        archive.append(localExtra)
        archive.append(stored)

        // Central entry: the ZIP64 extra field holds only the fields that are set to 0xFFFFFFFF.
        var centralValues: [(UInt64, Int)] = []
        if large { centralValues += [(UInt64(contents.count), 8), (UInt64(stored.count), 8)] }
        if farOffset { centralValues.append((UInt64(offset), 8)) }
        var centralExtra = Data()
        if !centralValues.isEmpty {
            Self.append(&centralExtra, [(1, 2), (UInt64(8 * centralValues.count), 2)] + centralValues)
        }
        Self.append(
            &directory,
            [
                (ZipArchive.centralSignature, 4), (version, 2), (version, 2), (flags, 2), (method, 2),
                (0, 2), (Self.dosDate, 2), (crc, 4),
            ])
        Self.append(
            &directory,
            large
                ? [(0xFFFF_FFFF, 4), (0xFFFF_FFFF, 4)]
                : [(UInt64(stored.count), 4), (UInt64(contents.count), 4)])
        Self.append(
            &directory,
            [
                (UInt64(nameBytes.count), 2), (UInt64(centralExtra.count), 2), (0, 2), (0, 2), (0, 2),
                (0, 4), (farOffset ? 0xFFFF_FFFF : UInt64(offset), 4),
            ])
        directory.append(contentsOf: nameBytes)
        directory.append(centralExtra)
        count += 1
    }

    /// The finished archive: members, central directory and end record(s).
    func finished() -> Data {
        var result = archive
        let directoryOffset = UInt64(result.count)
        let directorySize = UInt64(directory.count)
        result.append(directory)
        let needsZip64 =
            forceZip64 || count >= 0xFFFF || directoryOffset >= 0xFFFF_FFFF
            || directorySize >= 0xFFFF_FFFF
        if needsZip64 {
            let recordOffset = UInt64(result.count)
            Self.append(
                &result,
                [
                    (ZipArchive.zip64EndSignature, 4), (44, 8), (45, 2), (45, 2), (0, 4), (0, 4),
                    (UInt64(count), 8), (UInt64(count), 8), (directorySize, 8), (directoryOffset, 8),
                ])
            Self.append(&result, [(ZipArchive.zip64LocatorSignature, 4), (0, 4), (recordOffset, 8), (1, 4)])
        }
        let shortCount: UInt64 = needsZip64 ? 0xFFFF : UInt64(count)
        Self.append(
            &result,
            [
                (ZipArchive.endSignature, 4), (0, 2), (0, 2), (shortCount, 2), (shortCount, 2),
                (needsZip64 ? 0xFFFF_FFFF : directorySize, 4),
                (needsZip64 ? 0xFFFF_FFFF : directoryOffset, 4), (0, 2),
            ])
        return result
    }

    /// Appends each value little-endian in its byte width.
    private static func append(_ data: inout Data, _ fields: [(UInt64, Int)]) {
        for (value, width) in fields {
            for byte in 0..<width { data.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))) }
        }
    }
}
