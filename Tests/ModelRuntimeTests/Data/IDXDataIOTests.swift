import Foundation
import TestSupport
import Testing

@testable import ModelRuntime

/// IDX (MNIST layout) reading for every element type, plain and gzip, and rejected files.
///
/// Expected values restate the formulas of `make_data_fixtures.py`.
@Suite struct IDXDataIOTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var expected: Tensor
        var testDescription: String { file }
        init(_ file: String, _ shape: [Int], _ type: ElementType, _ values: [Double]) {
            self.file = file
            expected = makeTensor(shape, type, values)
        }
    }

    /// images: element i of the [3, 4, 5] array is (i * 7) % 256.
    static let images = formula(60) { ($0 * 7).truncatingRemainder(dividingBy: 256) }

    static let cases: [Case] = [
        Case("images-idx3-ubyte", [3, 4, 5], .uint8, images),
        Case("images-idx3-ubyte.gz", [3, 4, 5], .uint8, images),
        Case("labels-idx1-ubyte", [3], .uint8, [7, 0, 9]),
        Case("sbytes.idx", [3], .int32, [-128, 0, 127]),
        Case("shorts.idx", [4], .int32, [-32768, -1, 0, 32767]),
        Case("ints.idx", [2], .int32, [-2_147_483_648, 2_147_483_647]),
        Case("floats.idx", [2, 3], .float32, formula(6) { ($0 - 2) * 0.75 }),
        Case("doubles.idx", [3], .float32, [0.1, -2.5, 3.0]),
    ]

    @Test(arguments: cases)
    func readsEveryElementType(_ testCase: Case) throws {
        #expect(try IDX.read(DataFixture.url(testCase.file)) == testCase.expected)
    }

    static let imagesData = { @Sendable () throws -> Data in try DataFixture.data("images-idx3-ubyte") }

    static let badInputs: [BadInput] = [
        BadInput("bad magic", "data.idx-magic", "bad IDX magic number [0x01 0x00 0x08 0x01]: the first two bytes") {
            Data([1, 0, 8, 1, 0, 0, 0, 1, 42])
        },
        BadInput("unknown type", "data.idx-magic", "type code 10 is not") { Data([0, 0, 0x0A, 1, 0, 0, 0, 1, 42]) },
        BadInput("shorter than the magic", "data.idx-magic", "shorter than the 4-byte magic") { Data([0, 0]) },
        BadInput("dims cut short", "data.truncated", "truncated IDX dimensions") { Data([0, 0, 8, 3, 0, 0, 0, 3]) },
        BadInput("data cut short", "data.truncated", "needs 60 bytes at offset 16, but only 59 remain") {
            try imagesData().dropLast()
        },
        BadInput("bytes after the data", "data.trailing-bytes", "1 unexpected bytes follow the data at offset 76") {
            try imagesData() + Data([0])
        },
        BadInput("huge dims", "data.limit-exceeded", "size of array [2147483647, 2147483647]") {
            Data([0, 0, 8, 2, 0x7F, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF])
        },
        BadInput("truncated gzip", "data.decompression", "truncated") {
            try DataFixture.data("images-idx3-ubyte.gz").dropLast(20)
        },
        BadInput("gzip bomb", "data.decompression", "inflates past the limit of 2000 bytes") {
            Self.gzip(Data(count: 100_000))
        },
    ]

    @Test(arguments: badInputs)
    func rejectsBadInput(_ input: BadInput) throws {
        try input.check { data throws(DataError) in
            _ = try IDX.read(data, file: "/data/train-idx3-ubyte", limits: DataLimits(maxArrayBytes: 2000))
        }
    }

    @Test func concatenatedGzipMembersAreOneStream() throws {
        let whole = try DataFixture.data("images-idx3-ubyte")
        let split = Self.gzip(whole.prefix(30)) + Self.gzip(whole.dropFirst(30))
        #expect(try IDX.read(split, file: "two-members.gz") == makeTensor([3, 4, 5], .uint8, Self.images))
    }

    /// A gzip file (RFC 1952) of `data`: header, raw deflate, CRC-32 and size.
    static func gzip(_ data: Data) -> Data {
        var result = Data([0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF])
        result.append(Zlib.deflateRaw(data) ?? Data())
        for value in [Zlib.crc32(data), UInt32(truncatingIfNeeded: data.count)] {
            withUnsafeBytes(of: value.littleEndian) { result.append(contentsOf: $0) }
        }
        return result
    }
}
