import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// Models written at opsets 18, 20 and 21 (scripts/fixtures/make_opset_fixtures.py builds them
/// with onnx.helper in each opset's form and stores ONNX Runtime's outputs beside them) run
/// and agree with ONNX Runtime.
@Suite struct OpsetImportTests {
    static let folder = "Tests/ModelFormatTests/Fixtures/onnx/opsets"
    static let models = ["opset18_reduce_split", "opset20_gelu_norm", "opset21_mlp"]

    @Test(arguments: models)
    func agreesWithONNXRuntime(_ name: String) throws {
        let model = try ProtoModel(contentsOf: SourceTree.url("\(Self.folder)/\(name).onnx"))
        let feeds = try NPZ.read(SourceTree.url("\(Self.folder)/\(name).inputs.npz"))
        let expected = try NPZ.read(SourceTree.url("\(Self.folder)/\(name).expected.npz"))
        let session = try InferenceSession(model: model)
        let results = try session.run(feeds, outputs: expected.keys.sorted())
        for (output, reference) in expected {
            let got = try #require(results[output], "no output \(output)")
            #expect(got.shape == reference.shape, "\(output): shape \(got.shape), ONNX Runtime \(reference.shape)")
            // float32 kernels against ONNX Runtime's float32: a few ulps of the values' scale.
            for (a, b) in zip(got.scalars, reference.scalars) {
                #expect(abs(a - b) <= 1e-5 + 1e-4 * abs(b), "\(output): \(a) against ONNX Runtime's \(b)")
            }
        }
    }

    /// Export writes the lowest opset that can hold each graph (17 unless a form needs more),
    /// and what it writes imports again and gives the same outputs.
    @Test(arguments: zip(models, [Int64(17), 20, 17]))
    func exportWritesTheLowestOpsetThatHoldsTheGraph(_ name: String, opset: Int64) throws {
        let model = try ProtoModel(contentsOf: SourceTree.url("\(Self.folder)/\(name).onnx"))
        let onnx = try ONNXExport.convert(model)
        #expect(onnx.opsetImport.filter { $0.domain.isEmpty }.map(\.version) == [opset])
        let bytes: Data = try onnx.serializedBytes()
        let back = try ProtoModel(serialized: bytes, format: .onnx, fileName: "\(name).onnx")
        #expect(Verifier().verify(back).filter { $0.severity == .error }.isEmpty)
        let feeds = try NPZ.read(SourceTree.url("\(Self.folder)/\(name).inputs.npz"))
        let expected = try NPZ.read(SourceTree.url("\(Self.folder)/\(name).expected.npz"))
        let results = try InferenceSession(model: back).run(feeds, outputs: expected.keys.sorted())
        for (output, reference) in expected {
            let got = try #require(results[output])
            #expect(zip(got.scalars, reference.scalars).allSatisfy { abs($0 - $1) <= 1e-5 + 1e-4 * abs($1) })
        }
    }
}
