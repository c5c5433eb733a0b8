import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

@Suite struct FillerMaterializerTests {
    /// The small model with W [2,4] replaced by a filler-only weight of shape `dims`.
    private func model(filler: ProtoFiller, dims: [Int64], transB: Bool = true, seed: Int64 = 42) -> ProtoModel {
        var model = makeSmallModel()
        var weight = ProtoTensor()
        weight.name = "W"
        weight.dataType = .float
        weight.dims = dims
        weight.init_p = filler
        model.graph.initializer[0] = weight
        model.graph.node[0].attribute[0].i = transB ? 1 : 0
        model.training.seed = seed
        return model
    }

    private func filler(_ kind: ProtoFiller.Kind) -> ProtoFiller {
        var filler = ProtoFiller()
        filler.kind = kind
        return filler
    }

    private func values(_ model: ProtoModel) throws -> [Float] {
        try FillerMaterializer.materialize(model).graph.initializer[0].floatValues()
    }

    @Test func sameSeedGivesBitIdenticalWeights() throws {
        let first = try values(model(filler: filler(.glorotUniform), dims: [2, 4]))
        let second = try values(model(filler: filler(.glorotUniform), dims: [2, 4]))
        #expect(first.map(\.bitPattern) == second.map(\.bitPattern))
        let reseeded = try values(model(filler: filler(.glorotUniform), dims: [2, 4], seed: 43))
        #expect(reseeded != first)
    }

    @Test func aTensorSeedOverridesTheModelSeed() throws {
        var seeded = filler(.normal)
        seeded.std = 1
        seeded.seed = 7
        let a = try values(model(filler: seeded, dims: [2, 4], seed: 1))
        let b = try values(model(filler: seeded, dims: [2, 4], seed: 2))
        #expect(a == b)
    }

    /// Glorot uniform: U(-a, a), a = sqrt(6/(fan_in+fan_out)); Gemm with transB=1 stores [out, in].
    @Test func glorotUniformStaysInsideItsLimit() throws {
        let weights = try values(model(filler: filler(.glorotUniform), dims: [2000, 4]))
        let limit = Float((6.0 / (4.0 + 2000.0)).squareRoot())
        #expect(weights.allSatisfy { abs($0) <= limit })
        // 8,000 draws: the largest falls below 0.99·a with probability 0.99^8000 ≈ 1e-35.
        #expect(weights.map(abs).max()! > 0.99 * limit)
    }

    /// He normal: N(0, 2/fan_in). With n = 8,000 draws the sample standard deviation has a
    /// relative standard error of about 1/sqrt(2n) ≈ 0.8%, so 5% is over six standard errors.
    @Test func heNormalHasTheStatedSpread() throws {
        let weights = try values(model(filler: filler(.heNormal), dims: [2, 4000], transB: false))
        let fanIn = 2.0  // transB = 0: B is [K, M] = [2, 4000], so fan_in = K = 2
        let expected = (2 / fanIn).squareRoot()
        let mean = weights.reduce(0) { $0 + Double($1) } / Double(weights.count)
        let std = (weights.reduce(0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(weights.count)).squareRoot()
        #expect(abs(mean) < 0.05 * expected)
        #expect(abs(std - expected) < 0.05 * expected)
    }

    @Test func constantAndUniformRules() throws {
        var constant = filler(.constant)
        constant.value = 2.5
        #expect(try values(model(filler: constant, dims: [2, 4])) == Array(repeating: 2.5, count: 8))
        var uniform = filler(.uniform)
        uniform.low = 3
        uniform.high = 4
        #expect(try values(model(filler: uniform, dims: [2, 4])).allSatisfy { $0 >= 3 && $0 < 4 })
    }

    /// Fan rules written out by hand from the layouts in the type's documentation.
    @Test func fansFollowTheConsumingOp() {
        #expect(FillerMaterializer.fans(shape: [64, 32], consumer: ("Gemm", 1, false)) == (64, 32))
        #expect(FillerMaterializer.fans(shape: [32, 64], consumer: ("Gemm", 1, true)) == (64, 32))
        #expect(FillerMaterializer.fans(shape: [64, 32], consumer: ("MatMul", 1, false)) == (64, 32))
        #expect(FillerMaterializer.fans(shape: [16, 3, 5, 5], consumer: ("Conv", 1, false)) == (75, 400))
        #expect(FillerMaterializer.fans(shape: [10], consumer: nil) == (10, 10))
    }
}
