import Foundation
import TestSupport
import Testing

/// What a user can rely on after `kill -9`: a "kill, then `--resume`" loop ends with the same
/// model as an uninterrupted run, and no temporary file of a killed write survives the next
/// run that writes the same file.
@Suite(.serialized) struct KillRecoveryCLITests {
    let modelrun = ToolRunner("modelrun")
    let data = "examples/digits/digits.csv.gz"

    /// The digits MLP with a 256-wide hidden layer, so a checkpoint (≈ 230 kB of weights and
    /// Adam state, flushed to disk) takes long enough to be caught in the middle.
    func wideModel(in directory: URL) throws -> String {
        let source = try String(contentsOf: SourceTree.url("examples/digits/mlp.pbtxt"), encoding: .utf8)
        let wide = source.replacingOccurrences(of: "dim { value: 32 }", with: "dim { value: 256 }")
            .replacingOccurrences(of: "dims: 32 dims: 64", with: "dims: 256 dims: 64")
            .replacingOccurrences(of: "dims: 32 init", with: "dims: 256 init")
            .replacingOccurrences(of: "dims: 10 dims: 32", with: "dims: 10 dims: 256")
        let url = directory.appendingPathComponent("wide.pbtxt")
        try wide.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    /// Temporary files of atomic writes (`.<name>.tmp-…`) in `directory`.
    func temporaries(in directory: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { $0.contains(".tmp-") }
    }

    /// xorshift64*: a seeded source of kill times, so a failure can be replayed.
    struct KillTimes {
        var state: UInt64
        mutating func next(upTo limit: Double) -> Double {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Double((state &* 0x2545_F491_4F6C_DD1D) >> 11) / Double(1 << 53) * limit
        }
    }

    @Test func killedRunsResumeToTheUninterruptedWeights() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try wideModel(in: directory)
        let common = ["train", model, "--data", data, "--epochs", "4", "--seed", "11"]

        let reference = directory.appendingPathComponent("reference.model")
        let straight = try modelrun.run(
            common + ["-o", reference.path, "--checkpoint", directory.appendingPathComponent("a").path])
        #expect(straight.status == 0, "\(straight.stderr)")

        let folder = directory.appendingPathComponent("b")
        let output = directory.appendingPathComponent("out").appendingPathComponent("resumed.model")
        try FileManager.default.createDirectory(
            at: output.deletingLastPathComponent(), withIntermediateDirectories: true)
        let resumable = common + ["-o", output.path, "--checkpoint", folder.path, "--resume"]

        // First, one kill while state.npz is being written: poll the folder and kill as soon as
        // its temporary file appears (best effort: a fast disk can finish the write unseen).
        var caughtMidWrite = false
        let watched = try modelrun.start(resumable)
        while watched.isRunning {
            if temporaries(in: folder).contains(where: { $0.hasPrefix(".state.npz.tmp-") }) {
                kill(watched.processIdentifier, SIGKILL)
                caughtMidWrite = true
                break
            }
            usleep(100)
        }
        watched.waitUntilExit()
        if caughtMidWrite {
            #expect(!temporaries(in: folder).isEmpty, "the kill left the checkpoint's temporary file")
        }

        // Then kills at seeded random times within a run's length (≈ 0.4 s to compile, 0.3 s per
        // epoch in a debug build), each followed by a resume, until a run finishes.
        var times = KillTimes(state: 0x9E37_79B9_7F4A_7C15)
        var kills = caughtMidWrite ? 1 : 0
        var finished = false
        for attempt in 0..<12 {
            let process = try modelrun.start(resumable)
            if attempt < 5 {
                usleep(useconds_t(times.next(upTo: 1.1) * 1_000_000))
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    kills += 1
                }
            }
            process.waitUntilExit()
            if process.terminationReason == .exit && process.terminationStatus == 0 {
                finished = true
                break
            }
        }
        print("kill-recovery: \(kills) kill(s), one during the state.npz write: \(caughtMidWrite)")
        #expect(finished, "no resumed run finished")
        #expect(kills >= 3, "only \(kills) kill(s) landed while training ran")
        #expect(try Data(contentsOf: output) == Data(contentsOf: reference), "the resumed model differs")
        #expect(temporaries(in: folder).isEmpty, "\(temporaries(in: folder))")
        #expect(temporaries(in: output.deletingLastPathComponent()).isEmpty)
    }

    /// A resume in a folder without a checkpoint starts from scratch and says so.
    @Test func resumeWithoutCheckpointStartsFromScratch() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let folder = directory.appendingPathComponent("empty")
        let result = try modelrun.run([
            "train", "examples/digits/mlp.pbtxt", "--data", data, "--epochs", "1", "--checkpoint", folder.path,
            "--resume", "-o", directory.appendingPathComponent("m.model").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning[train.resume-from-scratch]"), "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("state.npz").path))
    }

    /// SIGTERM during a run ends it with status 128 + 15 and no temporary file left behind.
    @Test func terminatedRunLeavesNoTemporaryFile() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try wideModel(in: directory)
        let folder = directory.appendingPathComponent("c")
        let process = try modelrun.start([
            "train", model, "--data", data, "--epochs", "4", "--checkpoint", folder.path,
            "-o", directory.appendingPathComponent("m.model").path,
        ])
        while process.isRunning && !temporaries(in: folder).contains(where: { $0.hasPrefix(".state.npz.tmp-") }) {
            usleep(100)
        }
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        if process.terminationReason == .exit && process.terminationStatus == 0 { return }  // finished first
        #expect(process.terminationStatus == 128 + SIGTERM)
        #expect(temporaries(in: folder).isEmpty, "\(temporaries(in: folder))")
    }
}
