import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

@Suite struct ShapeInferenceTests {
    @Test func carriesTheBatchSymbolThroughTheDigitsMLP() throws {
        let model = try ProtoModel(contentsOf: SourceTree.url("examples/digits/mlp.pbtxt"))
        let types = try #require(ShapeInference.inferredTypes(model))
        #expect(types["hidden_relu"] == .float([.symbol("N"), .fixed(32)]))
        #expect(types["logits"] == .float([.symbol("N"), .fixed(10)]))
    }

    @Test func diagnosticsNameTheNodeOpAndInputs() throws {
        var model = makeSmallModel()
        model.graph.initializer[0] = ProtoTensor(name: "W", shape: [2, 5], floats: Array(repeating: 0, count: 10))
        var graph = try Graph(model.graph)
        let diagnostics = ShapeInference.run(&graph, file: "m.pbtxt")
        let first = try #require(diagnostics.first)
        #expect(first.code == "shape.inner-dims")
        #expect(
            first.rendered == "m.pbtxt: error[shape.inner-dims]: Gemm 'fc': inner dims differ: A is [N,4] (transA=0), "
                + "B is [2,5] (transB=1) (inputs: A [N,4], B [2,5], C [2]); fix: check the shapes feeding this node and its attributes")
    }

    @Test func declaredShapesMustAgree() throws {
        var model = makeSmallModel()
        model.graph.output[0] = valueInfo("y", ["N", 3])
        var graph = try Graph(model.graph)
        let diagnostics = ShapeInference.run(&graph)
        #expect(diagnostics.map(\.code) == ["shape.declared-mismatch"])
        #expect(diagnostics.first?.message.contains("inferred as [N,2], but the model declares [N,3]") == true)
    }

    @Test func compileFailsOnShapeErrorsAndWritesInferredValueInfos() throws {
        var model = makeSmallModel()
        var relu = ProtoNode()
        relu.name = "act"
        relu.opType = "Relu"
        relu.input = ["y"]
        relu.output = ["z"]
        model.graph.node.append(relu)
        model.graph.output = [valueInfo("z", ["N", 2])]
        let compiled = try Compiler(options: .init(optimization: .O0)).compile(model).model
        #expect(compiled.graph.valueInfo.map(\.name) == ["y"])
        #expect(compiled.graph.valueInfo.first?.dim.map(\.size) == [.param("N"), .value(2)])

        model.graph.initializer[1] = ProtoTensor(name: "b", shape: [3], floats: [0, 0, 0])
        #expect(throws: CompileError.self) { _ = try Compiler().compile(model) }
    }
}
