import Foundation
import Testing
import TestSupport

@testable import ModelFormat

/// On real trained weights (a 64-128-128-10 MLP trained on the digits by
/// scripts/fixtures/train_digits_weights.py), the byte-plane shuffle must pay for itself.
@Suite struct TrainedWeightsCompressionTests {
    @Test func shuffleDeflateBeatsDeflateOnTrainedWeights() throws {
        let model = try ProtoModel(contentsOf: SourceTree.url("Tests/ModelFormatTests/Fixtures/onnx/digits_trained_mlp.onnx"))
        var raw = 0
        var deflated = 0
        var shuffled = 0
        for tensor in model.graph.initializer {
            raw += try tensor.elementBytes().count
            deflated += try tensor.storing(compression: .deflate).rawData.count
            shuffled += try tensor.storing(compression: .shuffleDeflate).rawData.count
        }
        #expect(raw == 26_122 * 4)  // parameter count reported by the fixture script
        #expect(shuffled < deflated)
        print(
            "trained weights: raw \(raw) B, DEFLATE \(deflated) B (ratio \(Double(raw) / Double(deflated))), "
                + "SHUFFLE_DEFLATE \(shuffled) B (ratio \(Double(raw) / Double(shuffled)))")
    }
}
