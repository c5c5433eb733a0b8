import Foundation
import TestSupport
import Testing

@testable import ModelFormat

/// Temporary files of killed writers are removed by the next write of the same target; those
/// of a writer that still runs, and those of other targets, are left alone.
@Suite struct AtomicFileTests {
    /// The id of a process that has ended (a `true` run to completion).
    static func endedProcessID() throws -> pid_t {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        return process.processIdentifier
    }

    @Test func nextWriteRemovesWhatKilledWritersLeft() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dead = try Self.endedProcessID()
        let names = [
            "killed": ".m.model.tmp-\(dead)-\(UUID().uuidString)",
            "legacy": ".m.model.tmp-\(UUID().uuidString)",  // the form before writers were named
            "running": ".m.model.tmp-\(getpid())-\(UUID().uuidString)",
            "other target": ".n.model.tmp-\(dead)-\(UUID().uuidString)",
        ]
        for name in names.values {
            try Data(repeating: 7, count: 100).write(to: directory.appendingPathComponent(name))
        }
        try AtomicFile.write(Data([1, 2, 3]), to: directory.appendingPathComponent("m.model"))
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
        let expected: Set<String> = ["m.model", try #require(names["running"]), try #require(names["other target"])]
        #expect(left == expected)
        #expect(try Data(contentsOf: directory.appendingPathComponent("m.model")) == Data([1, 2, 3]))
    }

    @Test func temporaryFileNamesItsWriter() throws {
        let url = URL(fileURLWithPath: "/tmp/x/model.pbtxt")
        #expect(AtomicFile.temporaryPrefix(for: url) == ".model.pbtxt.tmp-")
    }
}
