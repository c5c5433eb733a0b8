import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

/// A model whose opset, or an op's version at it, is not supported gets a diagnostic naming
/// the op, the version and the model's opset.
@Suite struct OpsetChecksTests {
    /// x [2,4] -> `op` (with `attributes`, extra `inputs`, `domain`) -> y, at `opset`.
    static func model(
        opset: Int64, op: String, domain: String = "", inputs: [String] = [], attributes: [ProtoAttribute] = []
    ) -> ProtoModel {
        var model = ProtoModel()
        model.opsetVersion = opset
        model.graph.input = [valueInfo("x", [2, 4])]
        model.graph.output = [valueInfo("y", [])]
        var node = ProtoNode()
        node.name = "n"
        node.opType = op
        node.domain = domain
        node.input = ["x"] + inputs
        node.output = ["y"]
        node.attribute = attributes
        model.graph.node = [node]
        var axes = ProtoTensor()
        axes.name = "axes"
        axes.dataType = .int64
        axes.dims = [1]
        axes.int64Data = [1]
        model.graph.initializer = [axes]
        return model
    }

    static func attribute(_ name: String, ints: [Int64] = [], i: Int64 = 0) -> ProtoAttribute {
        var attribute = ProtoAttribute()
        attribute.name = name
        attribute.ints = ints
        attribute.i = i
        return attribute
    }

    static let cases: [(String, ProtoModel, code: String, words: [String])] = [
        ("opset 26", model(opset: 26, op: "Relu"), "model.unsupported-opset", ["opset 26", "13-25"]),
        ("opset 12", model(opset: 12, op: "Relu"), "model.unsupported-opset", ["opset 12"]),
        ("Gelu before 20", model(opset: 18, op: "Gelu"), "node.unsupported-op-version", ["Gelu", "opset 18", "20"]),
        (
            "LayerNormalization before 17", model(opset: 16, op: "LayerNormalization", inputs: ["axes"]),
            "node.unsupported-op-version", ["LayerNormalization", "opset 16", "17"]
        ),
        (
            "ReduceMean-18 with an axes attribute",
            model(opset: 20, op: "ReduceMean", attributes: [attribute("axes", ints: [1])]),
            "node.op-version-form", ["ReduceMean-18", "opset 20", "attribute 'axes'"]
        ),
        (
            "ReduceMax-13 with an axes input", model(opset: 17, op: "ReduceMax", inputs: ["axes"]),
            "node.op-version-form", ["ReduceMax-13", "opset 17", "input 1 ('axes')", "ReduceMax-18 adds it"]
        ),
        (
            "Split-13 with num_outputs", model(opset: 17, op: "Split", attributes: [attribute("num_outputs", i: 2)]),
            "node.op-version-form", ["Split-13", "opset 17", "num_outputs", "Split-18"]
        ),
        (
            "Reshape-13 with allowzero",
            model(opset: 13, op: "Reshape", inputs: ["axes"], attributes: [attribute("allowzero", i: 1)]),
            "node.op-version-form", ["Reshape-13", "opset 13", "allowzero", "Reshape-14"]
        ),
    ]

    @Test(arguments: cases.indices)
    func unsupportedVersionsAreNamed(_ index: Int) {
        let (label, model, code, words) = Self.cases[index]
        let diagnostics = Verifier().verify(model).filter { $0.severity == .error }
        let match = diagnostics.first { $0.code == code }
        #expect(match != nil, "\(label): expected \(code), got \(diagnostics.map(\.rendered))")
        for word in words {
            #expect(match?.message.contains(word) == true, "\(label): '\(word)' missing from \(match?.message ?? "-")")
        }
    }

    static let accepted: [(String, ProtoModel)] = [
        ("Gelu at 20", model(opset: 20, op: "Gelu")),
        ("our Gelu at 13", model(opset: 13, op: "Gelu", domain: OpDomain.ours)),
        ("ReduceMean-18 with an axes input", model(opset: 18, op: "ReduceMean", inputs: ["axes"])),
        (
            "ReduceMean-18 with noop_with_empty_axes",
            model(opset: 25, op: "ReduceMean", attributes: [attribute("noop_with_empty_axes", i: 1)])
        ),
        ("ReduceMean-13 with an axes attribute", model(opset: 13, op: "ReduceMean", attributes: [attribute("axes", ints: [1])])),
        ("Split-18 with num_outputs", model(opset: 18, op: "Split", attributes: [attribute("num_outputs", i: 1)])),
        ("Relu at 25", model(opset: 25, op: "Relu")),
    ]

    @Test(arguments: accepted.indices)
    func supportedVersionsPass(_ index: Int) {
        let (label, model) = Self.accepted[index]
        let errors = Verifier().verify(model).filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(label): \(errors.map(\.rendered))")
    }
}
