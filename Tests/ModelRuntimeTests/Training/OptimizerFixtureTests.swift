import Foundation
import ModelCompiler
import ModelFormat
import Testing

@testable import ModelRuntime

/// One case of `Training/Fixtures/optimizers.json` (PyTorch torch.optim in float64, see
/// `scripts/fixtures/make_training_fixtures.py`): settings, two parameters, a given gradient
/// per step, and the parameters and learning rate after each of five steps.
struct OptimizerFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Array: Decodable, Sendable {
        let shape: [Int]
        let data: [Double]
        var tensor: Tensor { Tensor(shape: shape, scalars: data.map { Float($0) }) }
    }
    struct Schedule: Decodable, Sendable {
        let kind: String
        let warmupSteps: Int
        let stepSize: Int
        let gamma: Float
        let totalSteps: Int
        enum CodingKeys: String, CodingKey {
            case kind, gamma
            case warmupSteps = "warmup_steps"
            case stepSize = "step_size"
            case totalSteps = "total_steps"
        }
    }

    let name: String
    let kind: String
    let learningRate: Float
    let momentum: Float
    let beta1: Float
    let beta2: Float
    let epsilon: Float
    let rho: Float
    let weightDecay: Float
    let gradientClipNorm: Float
    let schedule: Schedule
    let params: [Array]
    let grads: [[Array]]
    let expected: [[Array]]
    let learningRates: [Double]

    enum CodingKeys: String, CodingKey {
        case name, kind, momentum, beta1, beta2, epsilon, rho, schedule, params, grads, expected
        case learningRate = "learning_rate"
        case weightDecay = "weight_decay"
        case gradientClipNorm = "gradient_clip_norm"
        case learningRates = "learning_rates"
    }

    var testDescription: String { name }

    static func all() throws -> [OptimizerFixtureCase] {
        struct Document: Decodable { let cases: [OptimizerFixtureCase] }
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Fixtures/optimizers.json")
        return try JSONDecoder().decode(Document.self, from: Data(contentsOf: url)).cases
    }

    func enumValue<T: CaseIterable>(_ name: String, _: T.Type) throws -> T {
        try #require(
            T.allCases.first { String(describing: $0).uppercased() == name.replacingOccurrences(of: "_", with: "") })
    }

    var optimizer: ProtoOptimizer {
        get throws {
            var optimizer = ProtoOptimizer()
            optimizer.kind = try enumValue(kind, ProtoOptimizer.Kind.self)
            optimizer.learningRate = learningRate
            optimizer.momentum = momentum
            optimizer.beta1 = beta1
            optimizer.beta2 = beta2
            optimizer.epsilon = epsilon
            optimizer.rho = rho
            optimizer.weightDecay = weightDecay
            return optimizer
        }
    }
}

/// Every optimiser, weight decay, global-norm clipping and schedule against torch.optim: the
/// OptimizerStep and GradientNormScale nodes run as a graph whose parameters and state live in
/// a ParameterStore, updated in place as in training.
///
/// Tolerance 1e-5 + 1e-4·|want| per parameter after each step: the update runs in float32
/// (the reference in float64), and five steps accumulate a few ulps; a wrong rule (bias
/// correction, decay placement, ε inside or outside the root) moves values by far more.
@Suite struct OptimizerFixtureTests {
    /// The fixture file holds what the generator writes (an empty or cut file would make the
    /// parameterised test below pass with no cases): 30 cases over all 8 kinds and 4 schedules.
    @Test func fixtureCoversEveryOptimizerAndSchedule() throws {
        let cases = try OptimizerFixtureCase.all()
        #expect(cases.count == 30)
        #expect(Set(cases.map(\.kind)).count == 8)
        #expect(Set(cases.map(\.schedule.kind)) == ["CONSTANT", "STEP", "COSINE", "EXPONENTIAL"])
        #expect(cases.allSatisfy { $0.grads.count == 5 && $0.expected.count == 5 && $0.learningRates.count == 5 })
    }

    @Test(arguments: try OptimizerFixtureCase.all())
    func stepsMatchTorchOptim(_ fixture: OptimizerFixtureCase) throws {
        let optimizer = try fixture.optimizer
        var graph = Graph(name: "optimizer")
        let store = ParameterStore()
        var parameters: [ValueID] = []
        var gradients: [ValueID] = []
        for (index, parameter) in fixture.params.enumerated() {
            let dims = parameter.shape.map { Dim.fixed($0) }
            var tensor = ProtoTensor()
            tensor.name = "p\(index)"
            tensor.dataType = .float
            tensor.dims = parameter.shape.map { Int64($0) }
            tensor.floatData = parameter.data.map { Float($0) }
            parameters.append(graph.addInitializer(tensor))
            store.add("p\(index)", parameter.tensor)
            let gradient = graph.addValue(name: "g\(index)", type: TensorType(.float, dims), origin: .input)
            graph.inputs.append(gradient)
            gradients.append(gradient)
        }
        var training = ProtoTrainingConfig()
        training.optimizer = optimizer
        training.gradientClipNorm = fixture.gradientClipNorm
        let states = try OptimizerLowering.lower(
            training, graph: &graph, gradients: Swift.Array(zip(parameters, gradients)))
        for (index, names) in states.enumerated() {
            for name in names {
                store.add(name, Tensor(zeros: fixture.params[index].shape))
            }
        }
        graph.compact()
        let runner = try InferenceSession(model: ProtoModel(), graph: graph, persistent: store.pointers, threads: 1)

        var schedule = ProtoSchedule()
        schedule.kind = try fixture.enumValue(fixture.schedule.kind, ProtoSchedule.Kind.self)
        schedule.warmupSteps = Int64(fixture.schedule.warmupSteps)
        schedule.stepSize = Int64(fixture.schedule.stepSize)
        schedule.gamma = fixture.schedule.gamma
        let rates = LearningRateSchedule(
            base: Double(fixture.learningRate), schedule: schedule, totalSteps: fixture.schedule.totalSteps)
        for (step, stepGradients) in fixture.grads.enumerated() {
            let rate = rates.rate(at: step)
            #expect(
                abs(rate - fixture.learningRates[step]) <= 1e-6 * abs(fixture.learningRates[step]) + 1e-9,
                "lr at step \(step)")
            var feeds = [OptimizerLowering.hyperInput: Tensor(shape: [2], scalars: [Float(rate), Float(step + 1)])]
            for (index, gradient) in stepGradients.enumerated() { feeds["g\(index)"] = gradient.tensor }
            var results: [String: Tensor] = [:]
            try runner.run(feeds, fetching: [], into: &results)
            #expect(fixture.expected[step].count == fixture.params.count)
            for (index, want) in fixture.expected[step].enumerated() {
                let got = try #require(store.tensor("p\(index)")).scalars
                #expect(got.count == want.data.count, "step \(step + 1) p\(index) size")
                for (position, (value, reference)) in zip(got, want.data).enumerated() {
                    #expect(
                        abs(Double(value) - reference) <= 1e-5 + 1e-4 * abs(reference),
                        "step \(step + 1) p\(index)[\(position)]: \(value), torch \(reference)")
                }
            }
        }
    }
}
