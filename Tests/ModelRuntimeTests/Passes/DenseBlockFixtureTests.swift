import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// A DenseNet-style network exported by PyTorch at opset 17 (scripts/fixtures/
/// export_dense_block_onnx.py): its BatchNormalizations follow a one-input Concat, a
/// two- and three-input Concat and an AveragePool. The compiler trapped in
/// FoldBatchNormalization on torchvision's DenseNet-121 (issue 13); here -O0 and -O2 must both
/// compile and agree with ONNX Runtime's logits, stored beside the model.
///
/// Tolerance 1e-4 absolute: float32 convolutions summed in another order than ONNX Runtime's
/// (and BatchNormalization folded into the Conv weights at -O2) differ by a few ulp of the
/// partial sums, which stay below 10 here.
@Suite struct DenseBlockFixtureTests {
    @Test(arguments: [OptimizationLevel.O0, .O2])
    func matchesOnnxRuntime(level: OptimizationLevel) throws {
        let fixtures = SourceTree.url("Tests/ModelFormatTests/Fixtures/onnx")
        let model = try ProtoModel(contentsOf: fixtures.appendingPathComponent("dense_block.onnx"))
        let reference = try NPZ.read(fixtures.appendingPathComponent("dense_block_reference.npz"))
        let x = try #require(reference["x"])
        let expected = try #require(reference["logits"])
        let compiled = try Compiler(options: .init(optimization: level)).compile(model)
        if level == .O2 {
            // PyTorch's exporter already folded each Conv + BatchNormalization; the four left
            // follow Concats (one with a single input) and the AveragePool, and must stay.
            let fold = try #require(compiled.passReport.first { $0.pass == "fold-batch-normalization" })
            #expect(!fold.changed)
            let remaining = compiled.model.graph.node.filter { $0.opType == "BatchNormalization" }.count
            #expect(remaining == 4, "the four after a Concat or the AveragePool stay")
        }
        let logits = try #require(try InferenceSession(compiled).run(["x": x])["logits"])
        #expect(logits.shape == [2, 10] && expected.shape == [2, 10])
        for (a, b) in zip(logits.scalars, expected.scalars) { #expect(abs(a - b) <= 1e-4, "\(a) vs ONNX Runtime \(b)") }
    }
}
