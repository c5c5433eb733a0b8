import Foundation
import TestSupport
import Testing

/// `--json` prints exactly one JSON document on stdout, on failure too: the diagnostics list for
/// `check` and `compile`, `{"error": {code, message}, "diagnostics": [...]}` for the others.
@Suite struct JSONOutputCLITests {
    let example = "examples/digits/mlp.pbtxt"
    let data = "examples/digits/digits.csv.gz"

    /// The one JSON document on stdout (parsing fails on none, or on two).
    func document(_ stdout: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8))
    }

    @Test(arguments: [["check", "/nonexistent/m.pbtxt", "--json"], ["compile", "/nonexistent/m.pbtxt", "--json"]])
    func modelcLoadFailureIsADiagnosticsList(arguments: [String]) throws {
        let result = try ToolRunner("modelc").run(arguments)
        #expect(result.status == 1)
        let list = try #require(try document(result.stdout) as? [[String: Any]], "\(result.stdout)")
        #expect(list.count == 1)
        #expect((list.first?["severity"] as? String) == "error")
        #expect(((list.first?["location"] as? [String: Any])?["file"] as? String) == "/nonexistent/m.pbtxt")
        let message = list.first?["message"] as? String ?? ""
        #expect(message.contains("/nonexistent/m.pbtxt"), "\(message)")
    }

    @Test func trainFailureIsAnErrorDocument() throws {
        let result = try ToolRunner("modelrun").run([
            "train", example, "--data", "/nonexistent.csv", "-o", "/tmp/never.model", "--json",
        ])
        #expect(result.status == 1)
        let object = try #require(try document(result.stdout) as? [String: Any], "\(result.stdout)")
        let error = try #require(object["error"] as? [String: Any])
        #expect((error["code"] as? String) == "data.unreadable")
        #expect((object["diagnostics"] as? [Any])?.count == 1)
    }

    @Test func usageErrorIsAnErrorDocument() throws {
        let result = try ToolRunner("modelrun").run([
            "train", example, "--data", data, "-o", "/tmp/never.model", "--learning-rate", "-1", "--json",
        ])
        #expect(result.status == 2)
        let object = try #require(try document(result.stdout) as? [String: Any], "\(result.stdout)")
        let error = try #require(object["error"] as? [String: Any])
        #expect((error["code"] as? String) == "usage")
        let message = error["message"] as? String ?? ""
        #expect(message.contains("--learning-rate is -1.0"), "\(message)")
    }

    @Test func evalDocumentCarriesTheWarnings() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try String(contentsOf: SourceTree.url(example), encoding: .utf8)
        let bce = directory.appendingPathComponent("bce.pbtxt")
        try source.replacingOccurrences(of: "kind: SOFTMAX_CROSS_ENTROPY", with: "kind: BINARY_CROSS_ENTROPY")
            .write(to: bce, atomically: true, encoding: .utf8)
        let result = try ToolRunner("modelrun").run(["eval", bce.path, "--data", data, "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let object = try #require(try document(result.stdout) as? [String: Any], "\(result.stdout)")
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.compactMap { $0["code"] as? String } == ["head.bce-on-exclusive-classes"])
        #expect(object["loss"] is Double)
    }
}
