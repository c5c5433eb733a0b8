import Foundation
import ModelFormat
import TestSupport
import Testing

@Suite struct ModelcTests {
    let modelc = ToolRunner("modelc")
    let example = "examples/digits/mlp.pbtxt"

    @Test func checkAcceptsTheExample() throws {
        let result = try modelc.run(["check", example])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("0 error(s)"))
    }

    @Test func showCountsParameters() throws {
        let result = try modelc.run(["show", example, "--json"])
        #expect(result.status == 0)
        let json = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        // 64·32 + 32 + 32·10 + 10 weights and the pixel scale, counted by hand.
        #expect(json["parameters"] as? Int == 2411)
        let heads = try #require(json["heads"] as? [[String: Any]])
        #expect(heads.first?["encoding"] as? String == "ONE_HOT")
        #expect(heads.first?["loss"] as? String == "SOFTMAX_CROSS_ENTROPY")
        let text = try modelc.run(["show", example])
        #expect(text.stdout.contains("fc1    Gemm  [N,32]        2080"))
        #expect(text.stdout.contains("class labels: 0, 1, 2, 3, 4, 5, 6, 7, 8, 9"))
    }

    /// compile → .model, convert → .pbtxt, convert → .model: identical graphs, bit-identical weights.
    @Test func compileAndConvertRoundTrip() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let x = directory.appendingPathComponent("x.model").path
        let y = directory.appendingPathComponent("y.pbtxt").path
        let z = directory.appendingPathComponent("z.model").path
        #expect(try modelc.run(["compile", example, "-o", x]).status == 0)
        #expect(try modelc.run(["convert", x, "-o", y]).status == 0)
        #expect(try modelc.run(["convert", y, "-o", z]).status == 0)
        let first = try ProtoModel(contentsOf: URL(fileURLWithPath: x))
        let last = try ProtoModel(contentsOf: URL(fileURLWithPath: z))
        #expect(first == last)
        #expect(try Data(contentsOf: URL(fileURLWithPath: x)) == Data(contentsOf: URL(fileURLWithPath: z)))
        let weights = try first.graph.initializer.map { try $0.floatValues().map(\.bitPattern) }
        let again = try last.graph.initializer.map { try $0.floatValues().map(\.bitPattern) }
        #expect(weights == again)
        #expect(weights.first?.contains { $0 != 0 } == true)
    }

    @Test func checkJSONListsDiagnostics() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var model = makeSmallModel()
        model.graph.node[0].opType = "Frobnicate"
        let url = directory.appendingPathComponent("bad.pbtxt")
        try model.write(to: url)
        let result = try modelc.run(["check", url.path, "--json"])
        #expect(result.status == 1)
        let list = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(list.first?["code"] as? String == "graph.unsupported-ops")
        #expect(list.first?["severity"] as? String == "error")
    }

    @Test(arguments: [
        ["check"], ["frobnicate", "x"], ["compile", "examples/digits/mlp.pbtxt", "-O7"], ["show", "a", "--bogus"],
    ])
    func usageErrorsExitWithTwo(arguments: [String]) throws {
        let result = try modelc.run(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test func onnxConvertsToTextAndBack() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let text = directory.appendingPathComponent("cnn.pbtxt").path
        let onnx = directory.appendingPathComponent("cnn.onnx").path
        #expect(
            try modelc.run(["convert", "Tests/ModelFormatTests/Fixtures/onnx/torch_cnn.onnx", "-o", text]).status == 0)
        #expect(try modelc.run(["convert", text, "-o", onnx]).status == 0)
        let original = try ProtoModel(contentsOf: SourceTree.url("Tests/ModelFormatTests/Fixtures/onnx/torch_cnn.onnx"))
        #expect(try ProtoModel(contentsOf: URL(fileURLWithPath: onnx)).graph == original.graph)
    }
}

@Suite struct ModelcONNXTests {
    /// An ONNX model using two ops we do not implement: one error lists both.
    @Test func convertListsEveryUnsupportedOpAtOnce() throws {
        var onnx = Onnx_ModelProto()
        onnx.irVersion = 8
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        onnx.opsetImport = [opset]
        onnx.graph.name = "g"
        var input = Onnx_ValueInfoProto()
        input.name = "x"
        input.type.tensorType.elemType = 1
        onnx.graph.input = [input]
        for (index, op) in ["Atanh", "BitShift", "Atanh"].enumerated() {
            var node = Onnx_NodeProto()
            node.name = "n\(index)"
            node.opType = op
            node.input = ["x"]
            node.output = ["y\(index)"]
            onnx.graph.node.append(node)
        }
        var output = Onnx_ValueInfoProto()
        output.name = "y2"
        onnx.graph.output = [output]
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("unsupported.onnx")
        let bytes: Data = try onnx.serializedBytes()
        try bytes.write(to: url)
        let result = try ToolRunner("modelc").run([
            "convert", url.path, "-o", directory.appendingPathComponent("out.pbtxt").path,
        ])
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n").filter { $0.contains("graph.unsupported-ops") }
        #expect(lines.count == 1)
        #expect(
            lines.first?.contains("2 op type(s) are not supported: Atanh (did you mean Tanh?) (2 nodes: n0, n2); BitShift (1 node: n1)") == true)
    }

    /// A misspelt op names its nearest supported op.
    @Test func unknownOpSuggestsTheNearest() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("relu.pbtxt")
        try """
            opset_version: 17
            graph {
              name: "g"
              input { name: "x" dim { value: 2 } }
              output { name: "y" dim { value: 2 } }
              node { op_type: "ReLU" input: "x" output: "y" }
            }
            """.write(to: model, atomically: true, encoding: .utf8)
        let result = try ToolRunner("modelc").run(["check", model.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("ReLU (did you mean Relu?)"), "\(result.stderr)")
    }

    /// What a `compile -o X` killed before its rename left (`.X.tmp-…`) is removed by the next
    /// compile to X; another target's temporary file is not touched.
    @Test func compileRemovesTemporariesOfKilledCompiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let stale = [
            ".m.model.tmp-\(ended.processIdentifier)-\(UUID().uuidString)", ".m.model.tmp-\(UUID().uuidString)",
        ]
        let other = ".n.model.tmp-\(ended.processIdentifier)-\(UUID().uuidString)"
        for name in stale + [other] {
            try Data(count: 64).write(to: directory.appendingPathComponent(name))
        }
        let result = try ToolRunner("modelc").run([
            "compile", "examples/digits/mlp.pbtxt", "-o", directory.appendingPathComponent("m.model").path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: directory.path)) == ["m.model", other])
    }
}
