import Foundation

/// One file of a zip archive, as its central-directory entry describes it.
struct ZipEntry: Equatable {
    var name: String
    var flags: UInt16
    var method: UInt16
    var crc32: UInt32
    var compressedSize: Int
    var uncompressedSize: Int
    var localHeaderOffset: Int
}

/// A read-only zip archive (PKWARE APPNOTE 6.3): the central directory, ZIP64 included, and
/// members stored (method 0) or deflated (method 8), checked against their CRC-32.
///
/// Every offset and size read from the file is checked against the file's length before use,
/// and inflation is bounded by the size the entry declares.
struct ZipArchive {
    let data: Data
    let file: String
    private(set) var entries: [ZipEntry] = []

    static let endSignature: UInt64 = 0x0605_4B50
    static let zip64EndSignature: UInt64 = 0x0606_4B50
    static let zip64LocatorSignature: UInt64 = 0x0706_4B50
    static let centralSignature: UInt64 = 0x0201_4B50
    static let localSignature: UInt64 = 0x0403_4B50

    /// Parses the end record and central directory of `data`.
    init(_ data: Data, file: String) throws(DataError) {
        self.data = data
        self.file = file
        var reader = ByteReader(data, file: file, member: nil)
        let endOffset = try findEndRecord(reader)
        reader.offset = endOffset + 4
        let disk = try reader.littleEndian(2, for: "end record")
        let directoryDisk = try reader.littleEndian(2, for: "end record")
        _ = try reader.littleEndian(2, for: "end record")
        var count = try reader.littleEndian(2, for: "end record")
        var directorySize = try reader.littleEndian(4, for: "end record")
        var directoryOffset = try reader.littleEndian(4, for: "end record")
        if disk != 0 || directoryDisk != 0 {
            throw .zip(file: file, member: nil, offset: endOffset, reason: "multi-volume archives are not read")
        }
        let locatorOffset = endOffset - 20
        if locatorOffset >= 0,
            try reader.littleEndian(4, at: locatorOffset, for: "ZIP64 locator") == Self.zip64LocatorSignature
        {
            reader.offset = locatorOffset + 8
            let recordOffset = try checkedInt(reader.littleEndian(8, for: "ZIP64 locator"), at: locatorOffset)
            reader.offset = recordOffset
            guard try reader.littleEndian(4, for: "ZIP64 end record") == Self.zip64EndSignature else {
                throw .zip(
                    file: file, member: nil, offset: recordOffset,
                    reason: "no ZIP64 end record where the locator points")
            }
            try reader.skip(28, for: "ZIP64 end record")
            count = try reader.littleEndian(8, for: "ZIP64 end record")
            directorySize = try reader.littleEndian(8, for: "ZIP64 end record")
            directoryOffset = try reader.littleEndian(8, for: "ZIP64 end record")
        } else if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF {
            throw .zip(file: file, member: nil, offset: endOffset, reason: "ZIP64 sizes without a ZIP64 end record")
        }
        let start = try checkedInt(directoryOffset, at: endOffset)
        let size = try checkedInt(directorySize, at: endOffset)
        try reader.require(size, at: start, for: "central directory")
        // Each entry takes at least 46 bytes, which bounds the count a hostile file can claim.
        guard count <= UInt64(size / 46) else {
            throw .zip(
                file: file, member: nil, offset: endOffset,
                reason: "\(count) entries cannot fit in a \(size)-byte central directory")
        }
        reader.offset = start
        for _ in 0..<Int(count) {
            entries.append(try readCentralEntry(&reader))
        }
    }

    /// The decompressed, CRC-checked contents of `entry`, at most `limits.maxArrayBytes` long.
    func contents(of entry: ZipEntry, limits: DataLimits) throws(DataError) -> Data {
        let name = entry.name
        if entry.flags & 0x41 != 0 {
            throw .zip(
                file: file, member: name, offset: entry.localHeaderOffset, reason: "encrypted members are not read")
        }
        if entry.uncompressedSize > limits.maxArrayBytes {
            throw .limitExceeded(
                file: file, member: name, what: "uncompressed size",
                value: "\(entry.uncompressedSize) bytes", limit: "\(limits.maxArrayBytes) bytes")
        }
        if entry.method == 8, entry.uncompressedSize >= limits.decompressionRatioFromBytes {
            // Checked before inflating, from the sizes the directory declares (inflation is bounded by them).
            let stored = max(entry.compressedSize, 1)
            let (allowed, overflow) = stored.multipliedReportingOverflow(by: limits.maxDecompressionRatio)
            if !overflow && entry.uncompressedSize > allowed {
                let ratio = entry.uncompressedSize / stored
                throw .limitExceeded(
                    file: file, member: name, what: "decompression ratio",
                    value: "\(ratio)× (\(entry.compressedSize) bytes inflate to \(entry.uncompressedSize))",
                    limit:
                        "\(limits.maxDecompressionRatio)× for members of \(limits.decompressionRatioFromBytes) bytes or more")
            }
        }
        var reader = ByteReader(data, file: file, member: name, offset: entry.localHeaderOffset)
        guard try reader.littleEndian(4, for: "local header") == Self.localSignature else {
            throw .zip(
                file: file, member: name, offset: entry.localHeaderOffset,
                reason: "no local header where the directory points")
        }
        try reader.skip(22, for: "local header")
        let nameLength = Int(try reader.littleEndian(2, for: "local header"))
        let extraLength = Int(try reader.littleEndian(2, for: "local header"))
        try reader.skip(nameLength + extraLength, for: "local header name and extra field")
        let stored = try reader.bytes(entry.compressedSize, for: "member data")
        let contents: Data
        switch entry.method {
        case 0:
            guard entry.compressedSize == entry.uncompressedSize else {
                throw .zip(
                    file: file, member: name, offset: entry.localHeaderOffset,
                    reason: "a stored member of \(entry.compressedSize) bytes declares \(entry.uncompressedSize)")
            }
            contents = stored
        case 8:
            contents = try Zlib.inflateRaw(stored, expectedCount: entry.uncompressedSize, file: file, member: name)
        default:
            throw .zip(
                file: file, member: name, offset: entry.localHeaderOffset,
                reason: "compression method \(entry.method) is not read (only stored and deflated)")
        }
        let found = Zlib.crc32(contents)
        if found != entry.crc32 {
            throw .crcMismatch(file: file, member: name, expected: entry.crc32, found: found)
        }
        return contents
    }

    /// The offset of the end-of-central-directory record: the last signature whose comment fits.
    private func findEndRecord(_ reader: ByteReader) throws(DataError) -> Int {
        guard data.count >= 22 else {
            throw .zip(
                file: file, member: nil, offset: nil, reason: "\(data.count) bytes is too short for a zip archive")
        }
        let lowest = max(0, data.count - 22 - 0xFFFF)
        for offset in stride(from: data.count - 22, through: lowest, by: -1) {
            guard try reader.littleEndian(4, at: offset, for: "end record") == Self.endSignature else { continue }
            let commentLength = Int(try reader.littleEndian(2, at: offset + 20, for: "end record"))
            if offset + 22 + commentLength <= data.count { return offset }
        }
        throw .zip(
            file: file, member: nil, offset: nil, reason: "no end-of-central-directory record: not a zip archive")
    }

    private func readCentralEntry(_ reader: inout ByteReader) throws(DataError) -> ZipEntry {
        let offset = reader.offset
        guard try reader.littleEndian(4, for: "central directory entry") == Self.centralSignature else {
            throw .zip(file: file, member: nil, offset: offset, reason: "bad central directory entry signature")
        }
        try reader.skip(4, for: "central directory entry")
        let flags = UInt16(try reader.littleEndian(2, for: "central directory entry"))
        let method = UInt16(try reader.littleEndian(2, for: "central directory entry"))
        try reader.skip(4, for: "central directory entry")
        let crc = UInt32(try reader.littleEndian(4, for: "central directory entry"))
        var compressed = try reader.littleEndian(4, for: "central directory entry")
        var uncompressed = try reader.littleEndian(4, for: "central directory entry")
        let nameLength = Int(try reader.littleEndian(2, for: "central directory entry"))
        let extraLength = Int(try reader.littleEndian(2, for: "central directory entry"))
        let commentLength = Int(try reader.littleEndian(2, for: "central directory entry"))
        try reader.skip(8, for: "central directory entry")
        var localOffset = try reader.littleEndian(4, for: "central directory entry")
        let name = String(decoding: try reader.bytes(nameLength, for: "member name"), as: UTF8.self)
        var extra = ByteReader(try reader.bytes(extraLength, for: "extra field"), file: file, member: name)
        try reader.skip(commentLength, for: "member comment")
        // ZIP64 extended information (header 0x0001): 8-byte values for the fields set to 0xFFFFFFFF, in order.
        while extra.remaining >= 4 {
            let id = try extra.littleEndian(2, for: "extra field")
            let size = Int(try extra.littleEndian(2, for: "extra field"))
            var field = ByteReader(try extra.bytes(size, for: "extra field"), file: file, member: name)
            guard id == 0x0001 else { continue }
            if uncompressed == 0xFFFF_FFFF { uncompressed = try field.littleEndian(8, for: "ZIP64 extra field") }
            if compressed == 0xFFFF_FFFF { compressed = try field.littleEndian(8, for: "ZIP64 extra field") }
            if localOffset == 0xFFFF_FFFF { localOffset = try field.littleEndian(8, for: "ZIP64 extra field") }
        }
        return ZipEntry(
            name: name, flags: flags, method: method, crc32: crc,
            compressedSize: try checkedInt(compressed, at: offset),
            uncompressedSize: try checkedInt(uncompressed, at: offset),
            localHeaderOffset: try checkedInt(localOffset, at: offset))
    }

    /// A size or offset from the file as an `Int`, rejecting values no file could need.
    private func checkedInt(_ value: UInt64, at offset: Int) throws(DataError) -> Int {
        guard value <= UInt64(Int.max / 2) else {
            throw .zip(file: file, member: nil, offset: offset, reason: "size or offset \(value) is out of range")
        }
        return Int(value)
    }
}
