import CZlib
import Foundation

/// zlib compression of tensor payloads, with the byte-plane shuffle of SHUFFLE_DEFLATE.
///
/// Inflation is bounded by the size the tensor declares (`dims` × element size): a payload
/// that would inflate past it is rejected after writing at most one byte more, so a
/// decompression bomb costs no more memory than an honest tensor of the same shape.
public enum PayloadCompression {
    /// zlib stream (RFC 1950) of `bytes` at the default level.
    public static func deflate(_ bytes: Data) -> Data {
        var bound = compressBound(uLong(bytes.count))
        var output = Data(count: Int(bound))
        let status = output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int32 in
            bytes.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> Int32 in
                guard let outBase = out.baseAddress?.assumingMemoryBound(to: Bytef.self) else { return Z_MEM_ERROR }
                let inBase = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
                    ?? UnsafePointer<Bytef>(bitPattern: 1)
                guard let inBase else { return Z_MEM_ERROR }
                return compress2(outBase, &bound, inBase, uLong(bytes.count), Z_DEFAULT_COMPRESSION)
            }
        }
        // compress2 into a compressBound-sized buffer cannot fail except for memory exhaustion.
        precondition(status == Z_OK, "zlib compress2 failed with status \(status)")
        output.count = Int(bound)
        return output
    }

    /// Inflates a zlib stream that must produce exactly `expectedCount` bytes.
    public static func inflate(_ compressed: Data, expectedCount: Int, tensor: String) throws(FormatError) -> Data {
        var output = Data(count: expectedCount + 1)  // one spare byte detects overlong streams
        var stream = z_stream()
        let initStatus = inflateInit_(&stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else {
            throw .compression(file: nil, tensor: tensor, reason: "zlib could not start (status \(initStatus))")
        }
        defer { inflateEnd(&stream) }
        var status: Int32 = Z_OK
        let produced: Int = compressed.withUnsafeBytes { (input: UnsafeRawBufferPointer) -> Int in
            output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) -> Int in
                stream.next_in = UnsafeMutablePointer(
                    mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
                // zlib counts in 32 bits: a 4 GiB tensor (at maxTensorBytes) plus the spare byte
                // would trap in `uInt(_:)`; clamped, it is reported as a short stream instead.
                stream.avail_in = uInt(clamping: input.count)
                stream.next_out = out.baseAddress?.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(clamping: out.count)
                repeat {
                    status = CZlib.inflate(&stream, Z_NO_FLUSH)
                } while status == Z_OK && stream.avail_out > 0 && stream.avail_in > 0
                return Int(stream.total_out)
            }
        }
        if produced > expectedCount {
            throw .compression(
                file: nil, tensor: tensor,
                reason: "inflates past its declared size of \(expectedCount) bytes (decompression bomb or wrong dims)")
        }
        switch status {
        case Z_STREAM_END:
            guard produced == expectedCount else {
                throw .compression(
                    file: nil, tensor: tensor,
                    reason: "inflates to \(produced) bytes, but dims and data_type declare \(expectedCount)")
            }
            if stream.avail_in > 0 {
                throw .compression(file: nil, tensor: tensor, reason: "\(stream.avail_in) bytes follow the zlib stream")
            }
            output.count = expectedCount
            return output
        case Z_OK, Z_BUF_ERROR:
            throw .compression(file: nil, tensor: tensor, reason: "the zlib stream is truncated")
        default:
            throw .compression(file: nil, tensor: tensor, reason: "corrupt zlib stream (status \(status))")
        }
    }

    /// Regroups element bytes by significance: all byte 0s, then all byte 1s, ...
    public static func shuffle(_ bytes: Data, elementSize: Int) -> Data {
        guard elementSize > 1, bytes.count % elementSize == 0 else { return bytes }
        let count = bytes.count / elementSize
        var output = Data(count: bytes.count)
        bytes.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
                for element in 0..<count {
                    for byte in 0..<elementSize {
                        out[byte * count + element] = input[element * elementSize + byte]
                    }
                }
            }
        }
        return output
    }

    /// Inverse of `shuffle`.
    public static func unshuffle(_ bytes: Data, elementSize: Int) -> Data {
        guard elementSize > 1, bytes.count % elementSize == 0 else { return bytes }
        let count = bytes.count / elementSize
        var output = Data(count: bytes.count)
        bytes.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            output.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
                for element in 0..<count {
                    for byte in 0..<elementSize {
                        out[element * elementSize + byte] = input[byte * count + element]
                    }
                }
            }
        }
        return output
    }
}
