import Foundation
import TestSupport
import Testing

@testable import ModelRuntime

/// `.npz` reading of numpy's archives (stored, deflated, ZIP64), writing that numpy reads back
/// (`written_*.npz`, checked by `make_data_fixtures.py`), and hostile archives.
@Suite struct NPZDataIOTests {
    /// The arrays of `savez.npz`, `savez_compressed.npz` (x and label) and `zip64.npz` (x only).
    static let savedX = makeTensor([3, 4], .float32, formula(12) { ($0 - 5) / 4 })
    static let savedLabel = makeTensor([3], .int64, [0, 1, 2])

    /// What the `written_*.npz` fixtures hold; `make_data_fixtures.py` WRITTEN restates it for numpy.
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

    /// The committed archives were written by `NPZ.encode`, and `numpy.load` reads them.
    ///
    /// The fixture script checks the numpy side. Stored and ZIP64 output is deterministic, so it must not drift.
    /// `RECORD_SNAPSHOTS=1` rewrites them (and fails, so a recording run is never a passing run).
    @Test(arguments: [
        ("written_stored.npz", false, false), ("written_deflated.npz", true, false),
        ("written_zip64.npz", false, true),
    ])
    func writtenArchivesMatchTheOnesNumpyRead(_ file: String, _ compressed: Bool, _ zip64: Bool) throws {
        let bytes = try NPZ.encode(Self.written, compressed: compressed, forceZip64: zip64, file: file)
        if ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"] == "1" {
            try bytes.write(to: DataFixture.url(file))
            Issue.record("recorded \(file); run scripts/fixtures/make_data_fixtures.py to check it with numpy")
            return
        }
        let committed = try DataFixture.data(file)
        #expect(try NPZ.read(committed, file: file) == Self.written)
        if !compressed {
            #expect(bytes == committed, "NPZ.encode output changed; re-record and re-check with numpy")
        }
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
