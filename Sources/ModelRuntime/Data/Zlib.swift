import CZlib
import Foundation

/// zlib for data files: raw deflate (zip members), gzip (`.gz`), and CRC-32.
///
/// Inflation is always bounded: the output may not exceed the size a zip entry declares, or
/// `DataLimits.maxArrayBytes` for gzip, so a decompression bomb costs at most one 64 KiB chunk
/// more than the bound before it is rejected.
enum Zlib {
    /// Input is handed to zlib in pieces of this size (`avail_in` is 32-bit).
    private static let inputPiece = 1 << 30
    /// Output is produced in chunks of this size.
    private static let outputChunk = 1 << 16

    /// The CRC-32 (zip, gzip polynomial) of `data`.
    static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> UInt32 in
            var crc = CZlib.crc32(0, nil, 0)
            guard let base = raw.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return UInt32(crc) }
            var offset = 0
            while offset < raw.count {
                let piece = min(raw.count - offset, inputPiece)
                crc = CZlib.crc32(crc, base + offset, uInt(piece))
                offset += piece
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }

    /// Whether `data` starts with the gzip magic bytes `1f 8b`.
    static func isGzip(_ data: Data) -> Bool {
        data.count >= 2 && data[data.startIndex] == 0x1F && data[data.startIndex + 1] == 0x8B
    }

    /// Inflates a raw deflate stream (RFC 1951, zip method 8) that must produce exactly
    /// `expectedCount` bytes and end exactly where `compressed` ends.
    static func inflateRaw(
        _ compressed: Data, expectedCount: Int, file: String, member: String?
    ) throws(DataError) -> Data {
        let output = try inflate(
            compressed, windowBits: -15, limit: expectedCount, gzip: false, file: file,
            member: member)
        if output.count != expectedCount {
            throw .decompression(
                file: file, member: member,
                reason: "inflates to \(output.count) bytes, but the zip entry declares \(expectedCount)")
        }
        return output
    }

    /// Inflates gzip data (RFC 1952, one or more members) of unknown size, up to `limit` bytes.
    static func gunzip(_ compressed: Data, limit: Int, file: String) throws(DataError) -> Data {
        try inflate(compressed, windowBits: 15 + 32, limit: limit, gzip: true, file: file, member: nil)
    }

    /// Raw deflate (RFC 1951) of `bytes` at the default level, for zip method 8.
    static func deflateRaw(_ bytes: Data) -> Data? {
        var stream = z_stream()
        let level = Z_DEFAULT_COMPRESSION
        let size = Int32(MemoryLayout<z_stream>.size)
        guard deflateInit2_(&stream, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), size) == Z_OK
        else { return nil }
        defer { deflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: outputChunk)
        let succeeded = bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool in
            var consumed = 0
            repeat {
                let piece = min(raw.count - consumed, inputPiece)
                let last = consumed + piece == raw.count
                stream.next_in = raw.baseAddress.map {
                    UnsafeMutablePointer(mutating: $0.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                }
                stream.avail_in = uInt(piece)
                consumed += piece
                var status: Int32 = Z_OK
                repeat {
                    let produced = chunk.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int in
                        stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                        stream.avail_out = uInt(out.count)
                        status = deflate(&stream, last ? Z_FINISH : Z_NO_FLUSH)
                        return out.count - Int(stream.avail_out)
                    }
                    output.append(contentsOf: chunk[0..<produced])
                    if status == Z_STREAM_ERROR { return false }
                } while stream.avail_out == 0
                if last { return status == Z_STREAM_END }
            } while true
        }
        return succeeded ? output : nil
    }

    /// How an inflation ended, decided inside the buffer closures (which cannot throw typed errors).
    private enum Outcome {
        case finished
        case tooLarge
        case truncated
        case trailing(Int)
        case corrupt(String)
    }

    /// The shared inflate loop: raw deflate (`windowBits` −15) or gzip (15 + 32, members chained).
    private static func inflate(
        _ input: Data, windowBits: Int32, limit: Int, gzip: Bool, file: String, member: String?
    ) throws(DataError) -> Data {
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, windowBits, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw .decompression(file: file, member: member, reason: "zlib could not start (status \(initStatus))")
        }
        defer { inflateEnd(&stream) }
        var output = Data()
        output.reserveCapacity(min(limit, max(input.count * 4, outputChunk)) + 1)
        var chunk = [UInt8](repeating: 0, count: outputChunk)
        let outcome = input.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Outcome in
            var consumed = 0
            while true {
                if stream.avail_in == 0, consumed < raw.count, let base = raw.baseAddress {
                    let piece = min(raw.count - consumed, inputPiece)
                    stream.next_in = UnsafeMutablePointer(
                        mutating: base.advanced(by: consumed).assumingMemoryBound(to: Bytef.self))
                    stream.avail_in = uInt(piece)
                    consumed += piece
                }
                var status: Int32 = Z_OK
                let produced = chunk.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int in
                    stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    stream.avail_out = uInt(out.count)
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                    return out.count - Int(stream.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                if output.count > limit { return .tooLarge }
                let left = Int(stream.avail_in) + raw.count - consumed
                switch status {
                case Z_STREAM_END:
                    guard left > 0 else { return .finished }
                    let next = raw.count - left
                    if gzip, left >= 2, raw[next] == 0x1F, raw[next + 1] == 0x8B {
                        inflateReset(&stream)  // another gzip member follows (as `cat a.gz b.gz`)
                        continue
                    }
                    if gzip, raw[next...].allSatisfy({ $0 == 0 }) { return .finished }  // tape-style padding
                    return .trailing(left)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where left == 0:
                    return .truncated
                case Z_BUF_ERROR:
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "status \(status)"
                    return .corrupt(message)
                }
            }
        }
        switch outcome {
        case .finished:
            return output
        case .tooLarge:
            let what = gzip ? "the limit of \(limit) bytes (DataLimits.maxArrayBytes)" : "its declared \(limit) bytes"
            throw .decompression(
                file: file, member: member, reason: "inflates past \(what): a decompression bomb or a wrong size")
        case .truncated:
            throw .decompression(file: file, member: member, reason: "the compressed stream is truncated")
        case .trailing(let count):
            throw .decompression(file: file, member: member, reason: "\(count) bytes follow the compressed stream")
        case .corrupt(let message):
            throw .decompression(file: file, member: member, reason: "corrupt compressed stream (\(message))")
        }
    }
}
