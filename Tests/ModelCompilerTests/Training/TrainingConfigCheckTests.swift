import ModelCompiler
import ModelFormat
import Testing

/// `modelc check` on the training section: each bad value is an error naming its field path,
/// a field the optimiser never reads is a warning, and explicit values are used as written.
@Suite struct TrainingConfigCheckTests {
    static func model(training: String) throws -> ProtoModel {
        try ProtoModel(
            textFormatString: """
                opset_version: 17
                graph {
                  name: "regression"
                  input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
                  output { name: "y" elem_type: FLOAT dim { param: "N" } dim { value: 2 } }
                  node { op_type: "Gemm" input: "x" input: "w" output: "y" }
                  initializer { name: "w" data_type: FLOAT dims: 3 dims: 2 init { kind: GLOROT_UNIFORM } }
                }
                head { name: "r" output: "y" target: "t" encoding { kind: REAL num_classes: 2 } loss { kind: MEAN_SQUARED_ERROR } }
                training { \(training) }
                """)
    }

    struct Case: Sendable, CustomStringConvertible {
        let training: String
        let field: String
        var description: String { training }
    }

    static let errors: [Case] = [
        .init(training: "optimizer { learning_rate: nan }", field: "training.optimizer.learning_rate"),
        .init(training: "optimizer { learning_rate: -1 }", field: "training.optimizer.learning_rate"),
        .init(training: "optimizer { learning_rate: 0 }", field: "training.optimizer.learning_rate"),
        .init(training: "optimizer { learning_rate: inf }", field: "training.optimizer.learning_rate"),
        .init(training: "optimizer { kind: MOMENTUM momentum: 1 }", field: "training.optimizer.momentum"),
        .init(training: "optimizer { kind: MOMENTUM momentum: -0.1 }", field: "training.optimizer.momentum"),
        .init(training: "optimizer { kind: ADAM beta1: 1 }", field: "training.optimizer.beta1"),
        .init(training: "optimizer { kind: ADAM beta2: 1.5 }", field: "training.optimizer.beta2"),
        .init(training: "optimizer { kind: ADAM beta2: nan }", field: "training.optimizer.beta2"),
        .init(training: "optimizer { kind: ADAM epsilon: 0 }", field: "training.optimizer.epsilon"),
        .init(training: "optimizer { kind: ADAM epsilon: -1e-8 }", field: "training.optimizer.epsilon"),
        .init(training: "optimizer { kind: RMSPROP rho: 1 }", field: "training.optimizer.rho"),
        .init(training: "optimizer { kind: SGD weight_decay: -0.01 }", field: "training.optimizer.weight_decay"),
        .init(training: "batch_size: 0", field: "training.batch_size"),
        .init(training: "batch_size: -4", field: "training.batch_size"),
        .init(training: "epochs: 0", field: "training.epochs"),
        .init(training: "validation_fraction: 1", field: "training.validation_fraction"),
        .init(training: "validation_fraction: -0.1", field: "training.validation_fraction"),
        .init(training: "validation_fraction: nan", field: "training.validation_fraction"),
        .init(training: "gradient_clip_norm: -1", field: "training.gradient_clip_norm"),
        .init(training: "early_stopping { patience: -1 }", field: "training.early_stopping.patience"),
        .init(training: "schedule { kind: STEP gamma: 0.5 }", field: "training.schedule.step_size"),
        .init(training: "schedule { kind: STEP step_size: 10 }", field: "training.schedule.gamma"),
        .init(training: "schedule { kind: EXPONENTIAL gamma: -0.9 }", field: "training.schedule.gamma"),
        .init(training: "schedule { warmup_steps: -5 }", field: "training.schedule.warmup_steps"),
    ]

    @Test(arguments: errors) func badValueIsAnErrorWithItsField(_ item: Case) throws {
        let findings = ModelCheck.run(try Self.model(training: item.training))
        let errors = findings.filter { $0.severity == .error }
        #expect(errors.map(\.code) == ["training.out-of-range"], "\(findings.map(\.rendered))")
        #expect(errors.first?.location.field == item.field)
    }

    static let warnings: [Case] = [
        .init(training: "optimizer { kind: ADAM momentum: 0.9 }", field: "training.optimizer.momentum"),
        .init(training: "optimizer { kind: SGD beta1: 0.8 }", field: "training.optimizer.beta1"),
        .init(training: "optimizer { kind: MOMENTUM rho: 0.9 }", field: "training.optimizer.rho"),
        .init(training: "optimizer { kind: NESTEROV epsilon: 1e-6 }", field: "training.optimizer.epsilon"),
        .init(training: "schedule { kind: COSINE gamma: 0.5 }", field: "training.schedule.gamma"),
        .init(training: "schedule { kind: CONSTANT step_size: 3 }", field: "training.schedule.step_size"),
        .init(training: "early_stopping { metric: MSE }", field: "training.early_stopping.metric"),
    ]

    @Test(arguments: warnings) func fieldTheOptimiserDoesNotReadIsAWarning(_ item: Case) throws {
        let findings = ModelCheck.run(try Self.model(training: item.training))
        #expect(!findings.hasErrors, "\(findings.map(\.rendered))")
        #expect(findings.map(\.code) == ["training.unused-field"], "\(findings.map(\.rendered))")
        #expect(findings.first?.location.field == item.field)
    }

    @Test func soundSectionHasNoFindings() throws {
        let training = """
            optimizer { kind: ADAM learning_rate: 0.01 beta1: 0 beta2: 0.99 epsilon: 1e-7 weight_decay: 0 }
            schedule { kind: STEP step_size: 100 gamma: 0.1 warmup_steps: 10 }
            batch_size: 1 epochs: 1 validation_fraction: 0 gradient_clip_norm: 0
            early_stopping { metric: MSE patience: 3 }
            """
        #expect(ModelCheck.run(try Self.model(training: training)).isEmpty)
    }

    @Test func growingScheduleIsAWarning() throws {
        let findings = ModelCheck.run(try Self.model(training: "schedule { kind: EXPONENTIAL gamma: 1.1 }"))
        #expect(findings.map(\.code) == ["training.growing-learning-rate"])
    }

    @Test func compileRefusesWhatCheckRejects() throws {
        let model = try Self.model(training: "optimizer { learning_rate: nan }")
        #expect(throws: CompileError.self) { try TrainingCompiler().compile(model) }
    }

    /// An explicit 0 (valid for momentum, β1, ρ) is the value used, not a cue for the default;
    /// unset fields take the defaults of schemas/model.proto.
    @Test func explicitZerosAreKeptAndUnsetFieldsTakeTheDefaults() throws {
        var optimizer = ProtoOptimizer()
        optimizer.kind = .momentum
        optimizer.momentum = 0
        optimizer.beta1 = 0
        optimizer.rho = 0
        let given = OptimizerLowering.attributes(optimizer)
        #expect(given.float("momentum", default: -1) == 0)
        #expect(given.float("beta1", default: -1) == 0)
        #expect(given.float("rho", default: -1) == 0)
        let defaults = OptimizerLowering.attributes(ProtoOptimizer())
        #expect(defaults.float("beta1", default: -1) == 0.9)
        #expect(defaults.float("beta2", default: -1) == 0.999)
        #expect(defaults.float("epsilon", default: -1) == 1e-8)
        #expect(ProtoOptimizer().effectiveLearningRate == 1e-3)
        #expect(ProtoTrainingConfig().effectiveBatchSize == 32)
        #expect(ProtoTrainingConfig().effectiveEpochs == 1)
    }
}
