import Foundation
import ModelCompiler
import ModelFormat
import Testing

@testable import ModelRuntime

/// One case of `Training/Fixtures/losses.json` (written by
/// `scripts/fixtures/make_training_fixtures.py` from PyTorch in float64): a loss's settings,
/// inputs, and the reference loss and d(loss)/dx.
struct LossFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Array: Decodable, Sendable {
        let shape: [Int]
        let data: [Double]
    }
    struct Target: Decodable, Sendable {
        let form: String
        let shape: [Int]
        let data: [Double]
    }
    /// The loss, or "nan" where PyTorch gives NaN (every target ignored).
    struct Loss: Decodable, Sendable {
        let shape: [Int]
        let data: [Double]
        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            shape = try container.decode([Int].self, forKey: .shape)
            if let values = try? container.decode([Double].self, forKey: .data) {
                data = values
            } else {
                // Only the generator's spelling of NaN; anything else is a broken fixture.
                data = try container.decode([String].self, forKey: .data).map { text in
                    guard text == "nan" else {
                        throw DecodingError.dataCorruptedError(
                            forKey: .data, in: container, debugDescription: "'\(text)' is not a number or \"nan\"")
                    }
                    return .nan
                }
            }
        }
        enum CodingKeys: String, CodingKey { case shape, data }
    }

    let name: String
    let kind: String
    let fromLogits: Bool
    let reduction: String
    let classWeight: [Float]
    let posWeight: [Float]
    let ignoreIndex: Int?
    let labelSmoothing: Float
    let delta: Float
    let epsilon: Float
    let x: Array
    let target: Target
    let sampleWeight: Array?
    let upstream: Array?
    let loss: Loss
    let gradX: Array

    enum CodingKeys: String, CodingKey {
        case name, kind, reduction, delta, epsilon, x, target, upstream, loss
        case fromLogits = "from_logits"
        case classWeight = "class_weight"
        case posWeight = "pos_weight"
        case ignoreIndex = "ignore_index"
        case labelSmoothing = "label_smoothing"
        case sampleWeight = "sample_weight"
        case gradX = "grad_x"
    }

    var testDescription: String { name }

    static func all() throws -> [LossFixtureCase] {
        struct Document: Decodable { let cases: [LossFixtureCase] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/losses.json")
        return try JSONDecoder().decode(Document.self, from: Data(contentsOf: url)).cases
    }

    /// The node settings: a head with this loss, the target form given by the fixture.
    func attributes() throws -> Attributes {
        var head = ProtoHead()
        let kindValue = try #require(
            ProtoLoss.Kind.allCases.first {
                String(describing: $0).uppercased() == kind.replacingOccurrences(of: "_", with: "")
            })
        head.loss.kind = kindValue
        head.loss.fromLogits = fromLogits
        head.loss.reduction = try #require(
            ProtoLoss.Reduction.allCases.first {
                String(describing: $0).uppercased() == reduction.replacingOccurrences(of: "_", with: "")
            })
        head.loss.classWeight = classWeight
        head.loss.posWeight = posWeight
        if let ignoreIndex { head.loss.ignore = .ignoreIndex(Int64(ignoreIndex)) }
        head.loss.delta = delta
        head.loss.epsilon = epsilon
        if sampleWeight != nil { head.loss.sampleWeight = "w" }
        // ONE_HOT selects the class-index form for index losses; any other encoding, dense.
        head.encoding.kind = target.form == "index" ? .oneHot : .multiHot
        var attributes = LossAttributes(head: head).attributes
        attributes.set("label_smoothing", float: labelSmoothing)
        return attributes
    }
}

/// Every loss kind and reduction against PyTorch: the HeadLoss node's value and the
/// HeadLossGrad node's d(loss)/dx, run as a model through the inference engine.
///
/// Tolerance |got − want| ≤ 1e-5 + 1e-4·|want|: the kernels compute each term in Double from
/// float32 inputs and store float32, so results sit within a few float32 ulps of the float64
/// reference (≈ 1e-7 relative); a wrong weight, denominator or sign moves them by 1e-2 or more.
@Suite struct LossFixtureTests {
    /// The fixture file holds what the generator writes (an empty or cut file would make the
    /// parameterised test below pass with no cases): 99 cases over the 10 loss kinds and the 5
    /// reductions.
    @Test func fixtureCoversEveryKindAndReduction() throws {
        let cases = try LossFixtureCase.all()
        #expect(cases.count == 99)
        #expect(Set(cases.map(\.kind)).count == 10)
        #expect(
            Set(cases.map(\.reduction)) == ["MEAN", "SUM", "NONE", "MEAN_OVER_WEIGHTS", "SUM_OVER_NONZERO_WEIGHTS"])
    }

    @Test(arguments: try LossFixtureCase.all())
    func lossAndGradientMatchPyTorch(_ fixture: LossFixtureCase) throws {
        var model = ProtoModel()
        model.opsetVersion = 17
        func input(_ name: String, _ type: ProtoDataType, _ shape: [Int]) -> ProtoValueInfo {
            var info = ProtoValueInfo()
            info.name = name
            info.elemType = type
            info.dim = shape.map { size in
                var dim = ProtoDim()
                dim.value = Int64(size)
                return dim
            }
            return info
        }
        let indexTarget = fixture.target.form == "index"
        let upstreamShape = fixture.upstream?.shape ?? []
        model.graph.input = [
            input("x", .float, fixture.x.shape), input("t", indexTarget ? .int64 : .float, fixture.target.shape),
            input("dL", .float, upstreamShape),
        ]
        if let weight = fixture.sampleWeight { model.graph.input.append(input("w", .float, weight.shape)) }
        let attributes = try fixture.attributes()
        var loss = ProtoNode()
        loss.name = "loss"
        loss.opType = "HeadLoss"
        loss.domain = OpDomain.ours
        loss.input = ["x", "t"] + (fixture.sampleWeight == nil ? [] : ["w"])
        loss.output = ["L"]
        loss.attribute = attributes.proto
        var grad = loss
        grad.name = "grad"
        grad.opType = "HeadLossGrad"
        grad.input = ["dL"] + loss.input
        grad.output = ["dX"]
        model.graph.node = [loss, grad]
        model.graph.output = [input("L", .float, fixture.loss.shape), input("dX", .float, fixture.x.shape)]

        let session = try InferenceSession(model: model)
        var feeds: [String: Tensor] = [
            "x": Tensor(shape: fixture.x.shape, scalars: fixture.x.data.map { Float($0) }),
            "t": indexTarget
                ? Tensor(shape: fixture.target.shape, int64s: fixture.target.data.map { Int64($0) })
                : Tensor(shape: fixture.target.shape, scalars: fixture.target.data.map { Float($0) }),
            "dL": Tensor(shape: upstreamShape, scalars: fixture.upstream?.data.map { Float($0) } ?? [1]),
        ]
        if let weight = fixture.sampleWeight {
            feeds["w"] = Tensor(shape: weight.shape, scalars: weight.data.map { Float($0) })
        }
        let outputs = try session.run(feeds)
        let gotLoss = try #require(outputs["L"]).scalars
        let gotGrad = try #require(outputs["dX"]).scalars
        #expect(gotLoss.count == fixture.loss.data.count)
        for (got, want) in zip(gotLoss, fixture.loss.data) {
            if want.isNaN {
                #expect(got.isNaN, "loss \(got), PyTorch NaN")
            } else {
                #expect(abs(Double(got) - want) <= 1e-5 + 1e-4 * abs(want), "loss \(got), PyTorch \(want)")
            }
        }
        #expect(gotGrad.count == fixture.gradX.data.count)
        for (index, (got, want)) in zip(gotGrad, fixture.gradX.data).enumerated() {
            #expect(abs(Double(got) - want) <= 1e-5 + 1e-4 * abs(want), "dx[\(index)] \(got), PyTorch \(want)")
        }
    }
}
