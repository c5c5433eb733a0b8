import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

/// Export writes opset 17 unless a node's form needs a later opset, and converts each node to
/// the form of the opset it writes.
@Suite struct ONNXExportOpsetTests {
    static func node(_ op: String, _ inputs: [String], _ outputs: [String], _ attributes: [ProtoAttribute] = [])
        -> ProtoNode
    {
        var node = ProtoNode()
        node.opType = op
        node.input = inputs
        node.output = outputs
        node.attribute = attributes
        return node
    }

    static func ints(_ name: String, _ values: [Int64]) -> ProtoAttribute {
        var attribute = ProtoAttribute()
        attribute.name = name
        attribute.ints = values
        return attribute
    }

    static func axesTensor() -> ProtoTensor {
        var tensor = ProtoTensor()
        tensor.name = "axes"
        tensor.dataType = .int64
        tensor.dims = [1]
        tensor.int64Data = [1]
        return tensor
    }

    /// x [2,4] -> nodes -> y, at `opset`.
    static func model(opset: Int64, _ nodes: [ProtoNode], initializers: [ProtoTensor] = []) -> ProtoModel {
        var model = ProtoModel()
        model.opsetVersion = opset
        model.graph.input = [valueInfo("x", [2, 4])]
        model.graph.output = [valueInfo("y", [])]
        model.graph.node = nodes
        model.graph.initializer = initializers
        return model
    }

    @Test func constantAxesInputBecomesTheAttributeAtOpset17() throws {
        let source = Self.model(
            opset: 18, [Self.node("ReduceMean", ["x", "axes"], ["y"])], initializers: [Self.axesTensor()])
        let onnx = try ONNXExport.convert(source)
        #expect(onnx.opsetImport.map(\.version) == [17])
        #expect(onnx.irVersion == 8)
        let node = try #require(onnx.graph.node.first)
        #expect(node.input == ["x"])
        #expect(node.attribute.map(\.name) == ["axes"] && node.attribute.first?.ints == [1])
    }

    @Test func noopWithoutAxesIsAnIdentityAtOpset17() throws {
        var noop = ProtoAttribute()
        noop.name = "noop_with_empty_axes"
        noop.i = 1
        let onnx = try ONNXExport.convert(Self.model(opset: 18, [Self.node("ReduceMax", ["x"], ["y"], [noop])]))
        #expect(onnx.opsetImport.map(\.version) == [17])
        #expect(onnx.graph.node.map(\.opType) == ["Identity"])
    }

    @Test func fedAxesNeedOpset18() throws {
        var source = Self.model(opset: 18, [Self.node("ReduceMean", ["x", "fed_axes"], ["y"])])
        var fed = valueInfo("fed_axes", [1])
        fed.elemType = .int64
        source.graph.input.append(fed)
        let onnx = try ONNXExport.convert(source)
        #expect(onnx.opsetImport.map(\.version) == [18])
        #expect(onnx.graph.node.first?.input == ["x", "fed_axes"])
    }

    @Test func axesAttributesBecomeInputsAtOpset18AndLater() throws {
        // Gelu needs opset 20, where ReduceMax takes its axes as an input.
        var gelu = Self.node("Gelu", ["m"], ["y"])
        gelu.domain = OpDomain.ours
        let source = Self.model(opset: 17, [Self.node("ReduceMax", ["x"], ["m"], [Self.ints("axes", [0])]), gelu])
        let onnx = try ONNXExport.convert(source)
        #expect(onnx.opsetImport.map(\.version) == [20])
        let max = try #require(onnx.graph.node.first)
        #expect(max.attribute.isEmpty && max.input.count == 2)
        let axes = try #require(onnx.graph.initializer.first { $0.name == max.input[1] })
        #expect(axes.int64Data == [0])
    }

    @Test func geluIsWrittenAtOpset20InTheDefaultDomain() throws {
        var gelu = Self.node("Gelu", ["x"], ["y"])
        gelu.domain = OpDomain.ours
        let onnx = try ONNXExport.convert(Self.model(opset: 17, [gelu]))
        #expect(onnx.opsetImport.map(\.version) == [20])
        #expect(onnx.irVersion == 9)
        #expect(onnx.graph.node.first?.domain == "")
    }

    @Test func splitWithNumOutputsGetsSizesWhenTheShapesAreKnown() throws {
        var parts = ProtoAttribute()
        parts.name = "num_outputs"
        parts.i = 2
        var axis = ProtoAttribute()
        axis.name = "axis"
        axis.i = 1
        var source = Self.model(opset: 18, [Self.node("Split", ["x"], ["y", "z"], [axis, parts])])
        source.graph.output = [valueInfo("y", [2, 2]), valueInfo("z", [2, 2])]
        var onnx = try ONNXExport.convert(source)
        #expect(onnx.opsetImport.map(\.version) == [17])
        let split = try #require(onnx.graph.node.first)
        #expect(split.attribute.map(\.name) == ["axis"])
        #expect(onnx.graph.initializer.first { $0.name == split.input.last }?.int64Data == [2, 2])
        // Without the outputs' shapes the sizes are unknown: opset 18 keeps num_outputs.
        source.graph.output = [valueInfo("y", []), valueInfo("z", [])]
        source.graph.output[0].unknownRank = true
        source.graph.output[1].unknownRank = true
        onnx = try ONNXExport.convert(source)
        #expect(onnx.opsetImport.map(\.version) == [18])
        #expect(onnx.graph.node.first?.attribute.map(\.name).sorted() == ["axis", "num_outputs"])
    }
}
