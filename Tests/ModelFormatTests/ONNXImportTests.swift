import Foundation
import Testing
import TestSupport

@testable import ModelFormat

@Suite struct ONNXImportTests {
    private func fixture(_ name: String) throws -> ProtoModel {
        try ProtoModel(contentsOf: SourceTree.url("Tests/ModelFormatTests/Fixtures/onnx/\(name)"))
    }

    @Test func importsThePyTorchMLP() throws {
        // Layout reported by the onnx package for the fixture (scripts/fixtures/export_torch_onnx.py).
        let model = try fixture("torch_mlp.onnx")
        #expect(model.opsetVersion == 17)
        #expect(model.producerName == "pytorch")
        #expect(model.graph.node.map(\.opType) == ["Gemm", "Relu", "Gemm"])
        #expect(model.graph.input.map(\.name) == ["x"])
        #expect(model.graph.input[0].dim.map(\.size) == [.param("N"), .value(64)])
        #expect(model.graph.output.map(\.name) == ["logits"])
        let gemm = model.graph.node[0]
        #expect(gemm.attribute.first { $0.name == "transB" }?.i == 1)
        #expect(gemm.attribute.first { $0.name == "alpha" }?.f == 1)
        let weight = try #require(model.graph.initializer.first { $0.name == "0.weight" })
        #expect(weight.dims == [32, 64])
        #expect(try weight.floatValues().count == 32 * 64)
    }

    @Test func importsThePyTorchCNNAttributes() throws {
        let model = try fixture("torch_cnn.onnx")
        #expect(model.graph.node.map(\.opType) == ["Conv", "Relu", "MaxPool", "Flatten", "Gemm"])
        let conv = model.graph.node[0]
        #expect(conv.attribute.first { $0.name == "pads" }?.ints == [1, 1, 1, 1])
        #expect(conv.attribute.first { $0.name == "kernel_shape" }?.ints == [3, 3])
    }

    @Test func listsEveryUnsupportedFeatureInOneError() throws {
        var onnx = Onnx_ModelProto()
        var opset = Onnx_OperatorSetIdProto()
        opset.version = 17
        onnx.opsetImport = [opset]
        var node = Onnx_NodeProto()
        node.name = "branch"
        node.opType = "If"
        var attribute = Onnx_AttributeProto()
        attribute.name = "then_branch"
        attribute.type = .graph
        node.attribute = [attribute]
        var strings = Onnx_TensorProto()
        strings.name = "vocabulary"
        strings.dataType = 8
        strings.stringData = [Data("a".utf8)]
        onnx.graph.node = [node]
        onnx.graph.initializer = [strings]
        #expect {
            _ = try ONNXImport.convert(onnx)
        } throws: { error in
            guard case .unsupportedONNX(_, let problems) = error as? FormatError else { return false }
            return problems.count == 2 && problems.contains { $0.contains("then_branch") }
                && problems.contains { $0.contains("vocabulary") }
        }
    }

    @Test func restoresHeadsFromMetadata() throws {
        var onnx = Onnx_ModelProto()
        onnx.graph.name = "g"
        var entry = Onnx_StringStringEntryProto()
        entry.key = "modelformat.head.0"
        entry.value = "name: \"digit\" output: \"logits\" class_label: [\"a\", \"b\"]"
        var other = Onnx_StringStringEntryProto()
        other.key = "author"
        other.value = "me"
        onnx.metadataProps = [entry, other]
        let model = try ONNXImport.convert(onnx)
        #expect(model.head.map(\.name) == ["digit"])
        #expect(model.head[0].classLabel == ["a", "b"])
        #expect(model.metadata.map(\.key) == ["author"])
    }
}
