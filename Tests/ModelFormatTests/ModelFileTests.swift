import Foundation
import Testing
import TestSupport

@testable import ModelFormat

@Suite struct ModelFileTests {
    @Test(arguments: ["m.model", "m.pbtxt"])
    func roundTripsThroughEachFormat(name: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = makeSmallModel()
        let url = directory.appendingPathComponent(name)
        try model.write(to: url)
        #expect(try ProtoModel(contentsOf: url) == model)
        // Only the destination exists: the temporary file was renamed, not left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == [name])
    }

    @Test func sniffsTheFormatWhenTheExtensionSaysNothing() throws {
        let model = makeSmallModel()
        #expect(ModelFileFormat.sniff(try model.serialized(format: .text)) == .text)
        #expect(ModelFileFormat.sniff(try model.serialized(format: .binary)) == .binary)
        let onnx = try Data(contentsOf: SourceTree.url("Tests/ModelFormatTests/Fixtures/onnx/torch_mlp.onnx"))
        #expect(ModelFileFormat.sniff(onnx) == .onnx)

        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.weights")
        try model.serialized(format: .text).write(to: url)
        #expect(try ProtoModel(contentsOf: url) == model)
    }

    @Test func failedWritesLeaveNothingBehind() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("missing-folder/m.model")
        #expect(throws: FormatError.self) { try makeSmallModel().write(to: url) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func reportsMissingFilesAndDirectories() {
        #expect(throws: FormatError.unreadable(file: "/nonexistent/m.model", reason: "no such file")) {
            _ = try ProtoModel(contentsOf: URL(fileURLWithPath: "/nonexistent/m.model"))
        }
        #expect(throws: FormatError.self) { _ = try ProtoModel(contentsOf: URL(fileURLWithPath: "/tmp")) }
    }

    @Test func refusesFilesOverTheSizeLimit() throws {
        var limits = FormatLimits()
        limits.maxFileBytes = 10
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("m.model")
        try makeSmallModel().write(to: url)
        #expect {
            _ = try ProtoModel(contentsOf: url, limits: limits)
        } throws: { error in
            (error as? FormatError)?.code == "format.limit-exceeded"
        }
    }

    /// Text-format errors carry the line and column of the offending token.
    @Test(arguments: [
        ("graph {\n  name: \"g\"\n  node { op_type \"Relu\" }\n}\n", 3, 18, "expected ':' or '{' after field name 'op_type'"),
        ("graph {\n  name: \"g\n}\n", 2, 9, "unterminated string"),
        ("graph {\n  name: \"g\"\n", 3, 1, "missing '}'"),
        ("graph { name: \"g\" } }\n", 1, 21, "unmatched '}'"),
        (
            "graph {\n  node {\n    op_typ: \"Relu\"\n  }\n}\n", 3, 5,
            "field 'op_typ': unknown field name for this message (did you mean 'op_type'?)"
        ),
        (
            "head {\n  loss { kind: SOFTMAX_CROSS }\n}\n", 2, 10,
            "field 'kind': 'SOFTMAX_CROSS' is not a value of this field's enum; valid values: MEAN_SQUARED_ERROR, "
        ),
        ("graph {\n  initializer { dims: 2 dims: x }\n}\n", 2, 25, "field 'dims'"),
    ])
    func textErrorsNameLineAndColumn(text: String, line: Int, column: Int, reason: String) {
        #expect {
            _ = try ProtoModel(serialized: Data(text.utf8), format: .text, fileName: "bad.pbtxt")
        } throws: { error in
            guard case .textSyntax("bad.pbtxt", let gotLine, let gotColumn, let gotReason) = error as? FormatError else {
                return false
            }
            return gotLine == line && gotColumn == column && gotReason.contains(reason)
        }
    }

    @Test func binaryErrorsAreTyped() throws {
        let bytes = try makeSmallModel().serialized(format: .binary)
        #expect {
            _ = try ProtoModel(serialized: bytes.prefix(bytes.count - 3), format: .binary, fileName: "cut.model")
        } throws: { error in
            (error as? FormatError)?.code == "format.malformed"
        }
        #expect(throws: FormatError.self) { _ = try ProtoModel(serialized: Data(), format: .binary, fileName: "empty.model") }
    }
}
