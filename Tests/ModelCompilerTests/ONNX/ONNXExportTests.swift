import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

@Suite struct ONNXExportTests {
    @Test func writesOpset17WithTypedAttributes() throws {
        let onnx = try ONNXExport.convert(makeSmallModel())
        #expect(onnx.irVersion == 8)
        #expect(onnx.opsetImport.map(\.version) == [17])
        let attribute = try #require(onnx.graph.node.first?.attribute.first)
        #expect(attribute.name == "transB" && attribute.type == .int && attribute.i == 1)
        #expect(onnx.graph.initializer.first?.floatData == [0.5, -1.25, 3, 0, 1e-3, -7, 2.5, 8])
        #expect(onnx.graph.input.first?.type.tensorType.shape.dim.first?.dimParam == "N")
    }

    @Test func importingTheExportGivesTheSameGraphAndHeads() throws {
        var model = makeSmallModel()
        var head = ProtoHead()
        head.name = "h"
        head.output = "y"
        head.target = "label"
        head.encoding.kind = .oneHot
        head.encoding.numClasses = 2
        head.loss.kind = .softmaxCrossEntropy
        head.loss.fromLogits = true
        head.classLabel = ["no", "yes"]
        model.head = [head]
        model.training.optimizer.kind = .adam
        let bytes: Data = try ONNXExport.convert(model).serializedBytes()
        let back = try ProtoModel(serialized: bytes, format: .onnx, fileName: "m.onnx")
        #expect(back.graph == model.graph)
        #expect(back.head == model.head)
        #expect(back.training == model.training)
    }

    @Test func compressedPayloadsBecomePlainRawData() throws {
        var model = makeSmallModel()
        model.graph.initializer[0] = try model.graph.initializer[0].storing(compression: .shuffleDeflate)
        let onnx = try ONNXExport.convert(model)
        let raw = try #require(onnx.graph.initializer.first?.rawData)
        let floats = raw.withUnsafeBytes { buffer in
            (0..<8).map { Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
        #expect(floats == [0.5, -1.25, 3, 0, 1e-3, -7, 2.5, 8])
    }

    @Test func refusesInvalidModels() {
        var model = makeSmallModel()
        model.graph.node[0].opType = "Frobnicate"
        #expect(throws: CompileError.self) { _ = try ONNXExport.convert(model) }
    }
}
