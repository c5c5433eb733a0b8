import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

@Suite struct NormalizationKernelTests {
    /// The fixture file holds every op family it is written for (an empty or cut file would
    /// make the parameterised test below pass with no cases).
    @Test func fixtureLoadsWithEveryFamily() throws {
        let cases = try KernelFixtureCase.load("misc_normalization.json")
        #expect(Set(cases.map(\.op)) == ["BatchNormalization", "LayerNormalization"])
        #expect(cases.count == 12)
    }

    @Test(arguments: try KernelFixtureCase.load("misc_normalization.json"))
    func matchesReference(_ fixture: KernelFixtureCase) throws {
        try fixture.check()
    }

    @Test func batchNormalizationTrainingModeIsABindError() throws {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let c = Tensor(shape: [3], scalars: [1, 1, 1])
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(
                "BatchNormalization", inputs: [("x", x), ("s", c), ("b", c), ("m", c), ("v", c)],
                attributes: [attribute("training_mode", i: 1)])
        }
        #expect(error.code == "runtime.bind")
        #expect(error.description.hasPrefix("BatchNormalization 'n': training mode runs in the training graph"))
    }

    @Test func batchNormalizationChannelMismatchSurfacesFromShapeInference() throws {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let c = Tensor(shape: [3], scalars: [1, 1, 1])
        let wrong = Tensor(shape: [4], scalars: [1, 1, 1, 1])
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode("BatchNormalization", inputs: [("x", x), ("s", wrong), ("b", c), ("m", c), ("v", c)])
        }
        #expect(error.code == "runtime.compile")
        #expect(error.description.contains("BatchNormalization 'n'"))
    }

    /// A constant row has variance 0: Y = B exactly, Mean = the constant, InvStdDev = 1/sqrt(epsilon).
    @Test func layerNormalizationOfAConstantRowIsTheBias() throws {
        let x = Tensor(shape: [2, 4], scalars: [3, 3, 3, 3, -1e4, -1e4, -1e4, -1e4])
        let scale = Tensor(shape: [4], scalars: [2, 2, 2, 2])
        let bias = Tensor(shape: [4], scalars: [0.5, -0.5, 1, 0])
        let outputs = try runOneNode(
            "LayerNormalization", inputs: [("x", x), ("s", scale), ("b", bias)],
            attributes: [attribute("epsilon", f: 1e-2)], outputs: 3)
        #expect(outputs[0].scalars == [0.5, -0.5, 1, 0, 0.5, -0.5, 1, 0])
        #expect(outputs[1].shape == [2, 1])
        #expect(outputs[1].scalars == [3, -1e4])
        #expect(outputs[2].scalars.allSatisfy { abs($0 - 10) < 1e-5 })
    }
}
