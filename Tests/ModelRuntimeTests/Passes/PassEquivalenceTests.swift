import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// O0 and O2 compile the same model to graphs that compute the same outputs.
///
/// Tolerance 1e-5 relative (floor 1e-5 absolute): folding BatchNormalization into weights and
/// fusing products reorders float32 roundings, each ~6e-8 relative, over a handful of terms.
@Suite struct PassEquivalenceTests {
    @Test(arguments: PassTestModels.all.keys.sorted())
    func o0AndO2Agree(name: String) throws {
        let model = try PassTestModels.model(name)
        let o0 = try InferenceSession(Compiler(options: .init(optimization: .O0)).compile(model))
        let o2 = try InferenceSession(Compiler(options: .init(optimization: .O2)).compile(model))
        let x = Tensor(shape: [5, 8], scalars: (0..<40).map { Float(sin(Double($0) * 1.3)) * 2 })
        let reference = try #require(try o0.run(["x": x])["y"])
        let optimized = try #require(try o2.run(["x": x])["y"])
        #expect(reference.shape == optimized.shape)
        #expect(reference.shape.first == 5 && reference.count > 0, "one output row per input row")
        for (a, b) in zip(reference.scalars, optimized.scalars) {
            #expect(abs(a - b) <= 1e-5 * max(1, abs(a)), "\(name): \(a) vs \(b)")
        }
    }

    @Test func digitsExampleAgreesAtO0AndO2() throws {
        let model = try ProtoModel(contentsOf: SourceTree.url("examples/digits/mlp.pbtxt"))
        let o0 = try InferenceSession(Compiler(options: .init(optimization: .O0)).compile(model))
        let o2 = try InferenceSession(Compiler(options: .init(optimization: .O2)).compile(model))
        let x = Tensor(shape: [3, 64], scalars: (0..<192).map { Float($0 % 17) })
        let a = try #require(try o0.run(["x": x])["logits"]).scalars
        let b = try #require(try o2.run(["x": x])["logits"]).scalars
        #expect(a.count == 30 && b.count == 30, "3 samples × 10 logits")
        for (u, v) in zip(a, b) { #expect(abs(u - v) <= 1e-5 * max(1, abs(u))) }
    }
}
