import Foundation
import TestSupport
import Testing

@testable import ModelRuntime

/// `.npz` reading of numpy's archives (stored, deflated, ZIP64), writing that numpy reads back
/// (checked live through `numpy.load`), and hostile archives.
@Suite struct NPZDataIOTests {
    /// The arrays of `savez.npz`, `savez_compressed.npz` (x and label) and `zip64.npz` (x only).
    static let savedX = makeTensor([3, 4], .float32, formula(12) { ($0 - 5) / 4 })
    static let savedLabel = makeTensor([3], .int64, [0, 1, 2])

    /// The arrays the writing tests write, with every element type the runtime stores.
    static let written: [String: Tensor] = [
        "x": makeTensor([2, 3], .float32, formula(6) { $0 - 2.5 }),
        "label": makeTensor([2], .int64, [3, -4]),
        "mask": makeTensor([2], .bool, [1, 0]),
        "pixels": makeTensor([2, 2], .uint8, [0, 255, 7, 128]),
        "counts": makeTensor([2], .int32, [-1, 2_147_483_647]),
    ]

    @Test(arguments: [
        ("savez.npz", ["x": savedX, "label": savedLabel]),
        ("savez_compressed.npz", ["x": savedX, "label": savedLabel]),
        ("zip64.npz", ["x": savedX]),
    ])
    func readsNumpyArchives(_ file: String, _ expected: [String: Tensor]) throws {
        #expect(try NPZ.read(DataFixture.url(file)) == expected)
    }

    @Test(arguments: [false, true], [false, true])
    func roundTripsThroughAFile(compressed: Bool, zip64: Bool) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("out.npz")
        let bytes = try NPZ.encode(Self.written, compressed: compressed, forceZip64: zip64, file: url.path)
        #expect(try NPZ.read(bytes, file: url.path) == Self.written)
        try NPZ.write(Self.written, to: url, compressed: compressed)
        try NPZ.write(Self.written, to: url, compressed: compressed)  // replacing an existing file
        #expect(try NPZ.read(url) == Self.written)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["out.npz"], "no temp files")
    }

    @Test func emptyArchiveRoundTrips() throws {
        #expect(try NPZ.read(NPZ.encode([:]), file: "empty.npz").isEmpty)
    }

    /// numpy reads what `NPZ.encode` writes: each variant goes through `numpy.load`
    /// (scripts/fixtures/npz_to_json.py), and numpy's dtypes, shapes and values must be the
    /// arrays written (`written`, stated in this file). Needs python3 with numpy (scripts/setup.sh).
    @Test(arguments: [(false, false), (true, false), (false, true)])
    func numpyReadsWhatWeWrite(_ compressed: Bool, _ zip64: Bool) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("written.npz")
        try NPZ.encode(Self.written, compressed: compressed, forceZip64: zip64, file: url.path).write(to: url)
        let seen = try numpyView(of: url)
        #expect(Set(seen.keys) == Set(Self.written.keys))
        for (name, tensor) in Self.written {
            let array = try #require(seen[name], "numpy did not find \(name)")
            #expect(array.dtype == numpyName(tensor.elementType), "\(name): numpy dtype \(array.dtype)")
            #expect(array.shape == tensor.shape, "\(name): numpy shape \(array.shape)")
            let written = tensor.elementType == .float32 ? tensor.scalars.map(Double.init) : tensor.int64s.map(Double.init)
            #expect(array.data == written, "\(name): numpy values \(array.data)")
        }
    }

    /// numpy's name for a runtime element type.
    private func numpyName(_ type: ElementType) -> String {
        type == .float32 ? "float32" : type.rawValue
    }

    static let savez = { @Sendable () throws -> Data in try DataFixture.data("savez.npz") }

    static let badInputs: [BadInput] = [
        BadInput("CRC mismatch", "data.crc-mismatch", "[x.npy]: CRC-32 mismatch") {
            try DataFixture.data("crc_mismatch.npz")
        },
        BadInput(
            "decompression bomb", "data.decompression",
            "[x.npy]: cannot decompress: inflates past its declared 1000 bytes"
        ) {
            try DataFixture.data("bomb.npz")
        },
        BadInput("non-.npy member", "data.zip", "[readme.txt]: bad zip archive") {
            try DataFixture.data("extra_member.npz")
        },
        BadInput("Fortran-order member", "data.fortran-order", "[x.npy]: array [2, 3] is stored in Fortran order") {
            try DataFixture.data("fortran_member.npz")
        },
        BadInput("cut in half", "data.zip", "no end-of-central-directory record") {
            let data = try savez()
            return data.prefix(data.count / 2)
        },
        BadInput("not a zip", "data.zip", "no end-of-central-directory record") { Data(count: 100) },
        BadInput("too short", "data.zip", "too short for a zip archive") { Data([0x50, 0x4B]) },
        BadInput("directory offset past the end", "data.truncated", "central directory") {
            let data = try savez()
            return patched(data, at: data.count - 22 + 19, to: 0x7F)
        },
        BadInput("entry count too large", "data.zip", "entries cannot fit") {
            let data = try savez()
            return patched(patched(data, at: data.count - 22 + 10, to: 0xFF), at: data.count - 22 + 11, to: 0x7F)
        },
        BadInput("corrupt deflate stream", "data.decompression", "corrupt compressed stream") {
            try Self.corruptDeflated()
        },
        BadInput("duplicate member", "data.zip", "two members are named 'x.npy'") {
            var writer = ZipWriter()
            let member = NPY.encode(makeTensor([1], .float32, [1]))
            try writer.add(name: "x.npy", contents: member, deflate: false, file: "dup.npz")
            try writer.add(name: "x.npy", contents: member, deflate: false, file: "dup.npz")
            return writer.finished()
        },
        BadInput("unsupported method", "data.zip", "compression method 12") {
            let data = try savez()
            let central = try #require(Self.lastOffset(of: [0x50, 0x4B, 0x01, 0x02], in: data))
            return patched(data, at: central + 10, to: 12)
        },
    ]

    @Test(arguments: badInputs)
    func rejectsBadInput(_ input: BadInput) throws {
        try input.check { data throws(DataError) in _ = try NPZ.read(data, file: "/data/archive.npz") }
    }

    @Test func membersOverTheLimitAreRefusedBeforeInflating() throws {
        let limits = DataLimits(maxArrayBytes: 100)
        let error = try #require(throws: DataError.self) {
            try NPZ.read(DataFixture.data("savez_compressed.npz"), file: "small.npz", limits: limits)
        }
        #expect(error.code == "data.limit-exceeded")
        #expect(error.member != nil)
    }

    @Test func writeFailureLeavesNoFile() throws {
        let url = URL(fileURLWithPath: "/nonexistent-folder-\(UUID().uuidString)/out.npz")
        let error = try #require(throws: DataError.self) { try NPZ.write(Self.written, to: url) }
        #expect(error.code == "data.write-failed")
        #expect(error.file == url.path)
    }

    /// `savez_compressed.npz` with the first byte of x's deflate stream set to 0xFF (an invalid block type).
    static func corruptDeflated() throws -> Data {
        let data = try DataFixture.data("savez_compressed.npz")
        let archive = try ZipArchive(data, file: "c.npz")
        let entry = try #require(archive.entries.first { $0.name == "x.npy" })
        let offset = entry.localHeaderOffset
        let nameLength = Int(data[offset + 26]) | Int(data[offset + 27]) << 8
        let extraLength = Int(data[offset + 28]) | Int(data[offset + 29]) << 8
        return patched(data, at: offset + 30 + nameLength + extraLength, to: 0xFF)
    }

    /// The offset of the last occurrence of `signature` in `data`.
    static func lastOffset(of signature: [UInt8], in data: Data) -> Int? {
        let bytes = [UInt8](data)
        return stride(from: bytes.count - signature.count, through: 0, by: -1).first {
            Array(bytes[$0..<($0 + signature.count)]) == signature
        }
    }
}
