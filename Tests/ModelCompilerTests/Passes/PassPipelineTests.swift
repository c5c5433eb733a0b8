import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

/// Each pass on the pattern it targets: which pass fires, node counts before and after, and
/// the op types left; the graph is re-verified after every pass (`verifyEachPass`).
@Suite struct PassPipelineTests {
    static let expectations: [(model: String, pass: String, before: Int, after: Int, ops: [String])] = [
        ("matmul-add", "fuse-matmul-add", 2, 1, ["Gemm"]),
        ("transpose-gemm", "fold-constants", 2, 1, ["Gemm"]),
        ("gemm-batchnorm-relu", "fold-batch-normalization", 3, 2, ["FusedGemm"]),
        ("identity-dropout", "remove-identity-ops", 3, 1, ["Gemm"]),
        ("common-subexpressions", "eliminate-common-subexpressions", 3, 2, ["Sigmoid", "Add"]),
        ("reshape-chain", "collapse-reshape-chains", 3, 3, ["Reshape", "Tanh"]),
        ("constant-folding", "fold-constants", 2, 1, ["MatMul"]),
        ("dead-code-and-unused", "eliminate-dead-code", 2, 1, ["Gemm"]),
        ("conv-relu", "fuse-activation", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-leakyrelu", "fuse-activation", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-sigmoid", "fuse-activation", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-tanh", "fuse-activation", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-elu", "fuse-activation", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-clip", "fuse-activation", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-add-relu", "fuse-residual-add", 5, 4, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-add-relu", "fuse-activation", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-swish", "fuse-swish", 5, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-add-swapped", "fuse-residual-add", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-batchnorm-add-clip", "fuse-residual-add", 5, 4, ["Reshape", "FusedConv", "Flatten"]),
        ("conv-batchnorm-add-clip", "fuse-activation", 4, 3, ["Reshape", "FusedConv", "Flatten"]),
    ]

    @Test(arguments: expectations.indices)
    func passRewritesItsPattern(index: Int) throws {
        let expected = Self.expectations[index]
        let model = try PassTestModels.model(expected.model)
        var options = Compiler.Options(optimization: .O2)
        options.verifyEachPass = true
        let compiled = try Compiler(options: options).compile(model)
        let entry = try #require(compiled.passReport.first { $0.pass == expected.pass })
        #expect(entry.changed, "\(expected.pass) did not fire on \(expected.model): \(compiled.passReport)")
        #expect(entry.nodesBefore == expected.before)
        #expect(entry.nodesAfter == expected.after)
        #expect(compiled.model.graph.node.map(\.opType) == expected.ops)
        #expect(compiled.model.graph.output.map(\.name) == ["y"])
    }

    @Test func o0LeavesTheGraphAlone() throws {
        for name in PassTestModels.all.keys {
            let model = try PassTestModels.model(name)
            let compiled = try Compiler(options: .init(optimization: .O0)).compile(model)
            #expect(compiled.passReport.isEmpty)
            #expect(compiled.model.graph.node.count == model.graph.node.count)
        }
    }

    @Test func unusedInitializersAreReportedAndRemoved() throws {
        let compiled = try Compiler().compile(try PassTestModels.model("dead-code-and-unused"))
        #expect(compiled.diagnostics.map(\.code) == ["pass.unused-initializer"])
        #expect(compiled.diagnostics.first?.message.contains("'spare'") == true)
        #expect(!compiled.model.graph.initializer.contains { $0.name == "spare" })
    }

    @Test func headOutputsSurviveThePasses() throws {
        var model = try PassTestModels.model("identity-dropout")
        var head = ProtoHead()
        head.name = "h"
        head.output = "b2"  // the Dropout output, an intermediate value
        model.head = [head]
        let compiled = try Compiler().compile(model)
        #expect(compiled.model.graph.node.contains { $0.output.contains("b2") })
    }

    @Test func fusedOpsExportAsStandardONNX() throws {
        let compiled = try Compiler().compile(try PassTestModels.model("gemm-batchnorm-relu")).model
        let onnx = try ONNXExport.convert(compiled)
        #expect(onnx.graph.node.map(\.opType) == ["Gemm", "Relu"])
        #expect(onnx.opsetImport.map(\.domain) == [""])
    }

    @Test func residualConvolutionsExportAsStandardONNX() throws {
        let compiled = try Compiler().compile(try PassTestModels.model("conv-batchnorm-add-clip")).model
        let onnx = try ONNXExport.convert(compiled)
        #expect(onnx.graph.node.map(\.opType) == ["Reshape", "Constant", "Constant", "Conv", "Add", "Clip", "Flatten"])
        let add = try #require(onnx.graph.node.first { $0.opType == "Add" })
        let conv = try #require(onnx.graph.node.first { $0.opType == "Conv" })
        #expect(add.input.first == conv.output.first && add.input.last == "h", "Add(Conv(h), h): \(add.input)")
        let clip = try #require(onnx.graph.node.first { $0.opType == "Clip" })
        #expect(clip.input.count == 3 && clip.output == ["out"])
    }

    @Test func swishExportsAsSigmoidAndMul() throws {
        let compiled = try Compiler().compile(try PassTestModels.model("conv-swish")).model
        #expect(compiled.graph.node.first { $0.opType == "FusedConv" } != nil)
        let onnx = try ONNXExport.convert(compiled)
        #expect(onnx.graph.node.map(\.opType) == ["Reshape", "Conv", "Sigmoid", "Mul", "Flatten"])
        let conv = try #require(onnx.graph.node.first { $0.opType == "Conv" })
        let mul = try #require(onnx.graph.node.first { $0.opType == "Mul" })
        #expect(mul.input.first == conv.output.first && mul.output == ["out"])
    }
}
