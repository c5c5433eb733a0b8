import Foundation
import Testing
import TestSupport

/// `modelc check` on each crafted bad file exits 1 with a message naming the problem; none
/// ends by a signal or an exit code of 128 or more.
@Suite struct HostileFileCLITests {
    static let files: [(String, String)] = [
        ("truncated.model", "format.malformed"), ("random_bytes.model", "format.malformed"),
        ("empty.model", "format.malformed"), ("deep_nesting.model", "format.malformed"),
        ("syntax_error.pbtxt", "format.text-syntax"), ("unknown_field.pbtxt", "format.text-syntax"),
        ("negative_dim.model", "tensor.invalid"), ("overflowing_dims.model", "tensor.invalid"),
        ("dims_over_limit.model", "format.limit-exceeded"), ("raw_data_length_mismatch.model", "tensor.invalid"),
        ("decompression_bomb.model", "tensor.compression"), ("external_absolute.model", "tensor.external-data"),
        ("external_dotdot.model", "tensor.external-data"), ("external_symlink/model.model", "tensor.external-data"),
        ("external_past_end.model", "tensor.external-data"),
    ]

    @Test(arguments: files)
    func checkAndCompileRejectWithExitOne(file: String, code: String) throws {
        let path = "Tests/ModelFormatTests/Hostile/\(file)"
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("out.model").path
        for arguments in [["check", path], ["compile", path, "-o", output]] {
            let result = try ToolRunner("modelc").run(arguments)
            #expect(!result.signalled)
            #expect(result.status == 1, "\(arguments): status \(result.status), stderr \(result.stderr)")
            #expect(result.stderr.contains(code), "\(arguments): \(result.stderr)")
        }
        // Nothing is written for a rejected model.
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
