import Foundation
import Testing
import TestSupport

@testable import ModelFormat

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A result handed from a worker thread to the waiting test.
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}

/// Model files and external data must be regular files (issue 13): a FIFO named as external
/// data hung `check`, `compile` and `infer` forever, and a FIFO given as the model got a wrong
/// "permission" message. Each is now refused at once with a sentence saying what the path is.
@Suite struct NonRegularFileTests {
    /// Runs `body` on another thread; if it has not finished after `seconds`, records a hang
    /// and opens `fifo` for writing (then closes it) so the blocked reader gets EOF and the
    /// test process can go on.
    static func withoutHanging<T: Sendable>(
        seconds: Double = 10, fifo: String, _ body: @escaping @Sendable () throws -> T
    ) throws -> T {
        let box = ResultBox<T>()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.result = Result { try body() }
            done.signal()
        }
        if done.wait(timeout: .now() + seconds) == .timedOut {
            Issue.record("the read of a FIFO blocked for \(seconds) s")
            let writer = open(fifo, O_WRONLY | O_NONBLOCK)
            if writer >= 0 { close(writer) }
            done.wait()
        }
        return try box.result!.get()
    }

    @Test func aFIFOAsTheModelIsNamedAsSuch() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("model.model").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let error = try Self.withoutHanging(fifo: fifo) { () -> FormatError? in
            do {
                _ = try ProtoModel(contentsOf: URL(fileURLWithPath: fifo))
                return nil
            } catch {
                return error as? FormatError
            }
        }
        #expect(error == .unreadable(file: fifo, reason: "it is a FIFO (named pipe), not a regular file"))
    }

    @Test func aFolderAndADeviceAreNamedAsSuch() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(throws: FormatError.unreadable(file: directory.path, reason: "it is a folder, not a regular file")) {
            _ = try FileBytes.read(directory, limit: 1 << 20)
        }
        #expect(throws: FormatError.unreadable(file: "/dev/null", reason: "it is a character device, not a regular file")) {
            _ = try FileBytes.read(URL(fileURLWithPath: "/dev/null"), limit: 1 << 20)
        }
    }

    @Test func regularFilesStillReadWhole() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let small = directory.appendingPathComponent("small.bin")
        try Data([1, 2, 3]).write(to: small)
        #expect(try FileBytes.read(small, limit: 10) == Data([1, 2, 3]))
        let large = directory.appendingPathComponent("large.bin")
        let bytes = Data((0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        try bytes.write(to: large)
        #expect(try FileBytes.read(large, limit: 4 << 20) == bytes, "mapped from 1 MiB up")
        #expect(throws: FormatError.self) { _ = try FileBytes.read(large, limit: 1 << 20) }
        let empty = directory.appendingPathComponent("empty.bin")
        try Data().write(to: empty)
        #expect(try FileBytes.read(empty, limit: 10).isEmpty)
    }

    /// The external-data FIFO: a model beside a FIFO named `weights.bin`.
    @Test func aFIFOAsExternalDataIsRefusedWithoutBlocking() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("weights.bin").path
        #expect(mkfifo(fifo, 0o600) == 0)
        var tensor = ProtoTensor()
        tensor.name = "W"
        tensor.dataType = .float
        tensor.dims = [4]
        tensor.external.location = "weights.bin"
        let modelFile = directory.appendingPathComponent("m.model")
        let external = tensor
        let error = try Self.withoutHanging(fifo: fifo) { () -> FormatError? in
            do {
                _ = try external.elementBytes(context: PayloadContext(modelFile: modelFile))
                return nil
            } catch {
                return error as? FormatError
            }
        }
        #expect(
            error
                == .externalData(
                    file: modelFile.path, tensor: "W", location: "weights.bin",
                    reason: "it is a FIFO (named pipe), not a regular file"))
    }
}
