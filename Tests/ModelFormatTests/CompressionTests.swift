import Foundation
import Testing

@testable import ModelFormat

@Suite struct CompressionTests {
    @Test func shuffleGroupsBytesBySignificance() {
        // Two little-endian UInt32s 0x01020304 and 0x05060708; the shuffle puts all byte-0s
        // first, then byte-1s, ... (derived by hand from the definition).
        let bytes = Data([0x04, 0x03, 0x02, 0x01, 0x08, 0x07, 0x06, 0x05])
        #expect(PayloadCompression.shuffle(bytes, elementSize: 4) == Data([0x04, 0x08, 0x03, 0x07, 0x02, 0x06, 0x01, 0x05]))
    }

    @Test(arguments: [2, 4, 8])
    func unshuffleInvertsShuffle(elementSize: Int) {
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<(elementSize * 37)).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let shuffled = PayloadCompression.shuffle(bytes, elementSize: elementSize)
        #expect(shuffled != bytes)
        #expect(PayloadCompression.unshuffle(shuffled, elementSize: elementSize) == bytes)
    }

    @Test func inflatesAStreamWrittenByPythonZlib() throws {
        // zlib.compress(b"abcabcabcabc", 9) from CPython's zlib module.
        let stream = Data([120, 218, 75, 76, 74, 78, 132, 33, 0, 29, 224, 4, 153])
        let inflated = try PayloadCompression.inflate(stream, expectedCount: 12, tensor: "t")
        #expect(String(decoding: inflated, as: UTF8.self) == "abcabcabcabc")
    }

    @Test func deflateRoundTrips() throws {
        let bytes = Data((0..<10_000).map { UInt8($0 % 251) })
        let compressed = PayloadCompression.deflate(bytes)
        #expect(compressed.count < bytes.count)
        #expect(try PayloadCompression.inflate(compressed, expectedCount: bytes.count, tensor: "t") == bytes)
    }

    @Test func refusesToInflatePastTheDeclaredSize() {
        let bomb = PayloadCompression.deflate(Data(count: 1 << 20))
        #expect {
            _ = try PayloadCompression.inflate(bomb, expectedCount: 32, tensor: "W")
        } throws: { error in
            guard case .compression(_, "W", let reason) = error as? FormatError else { return false }
            return reason.contains("inflates past its declared size of 32 bytes")
        }
    }

    @Test func reportsShortAndTruncatedStreams() {
        let stream = PayloadCompression.deflate(Data(count: 100))
        #expect(throws: FormatError.self) { _ = try PayloadCompression.inflate(stream, expectedCount: 200, tensor: "t") }
        #expect(throws: FormatError.self) {
            _ = try PayloadCompression.inflate(stream.prefix(stream.count / 2), expectedCount: 100, tensor: "t")
        }
        #expect(throws: FormatError.self) { _ = try PayloadCompression.inflate(Data([1, 2, 3, 4]), expectedCount: 4, tensor: "t") }
    }
}
