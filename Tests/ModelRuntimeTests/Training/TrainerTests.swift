import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// The trainer's control flow: checkpoints that resume to the same weights, the NaN guard,
/// early stopping, and settings that cannot train.
@Suite struct TrainerTests {
    /// A linear regression y = x·W + b on 24 samples, with the given training section.
    static func regression(training: String) throws -> (ProtoModel, Dataset) {
        let model = try ProtoModel(
            textFormatString: """
                opset_version: 17
                graph {
                  name: "regression"
                  input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
                  output { name: "y" elem_type: FLOAT dim { param: "N" } dim { value: 2 } }
                  node { op_type: "Gemm" input: "x" input: "w" input: "b" output: "y" }
                  initializer { name: "w" data_type: FLOAT dims: 3 dims: 2 init { kind: GLOROT_UNIFORM } }
                  initializer { name: "b" data_type: FLOAT dims: 2 init { kind: ZEROS } }
                }
                head { name: "r" output: "y" target: "t" encoding { kind: REAL num_classes: 2 } loss { kind: MEAN_SQUARED_ERROR } metric: [MSE] }
                training { \(training) }
                """)
        let x: [Float] = (0..<72).map { (index: Int) -> Float in Float((index * 37) % 11) / 11 - 0.5 }
        var t: [Float] = []
        for row in 0..<24 {
            let a: Float = x[row * 3] + 2 * x[row * 3 + 1]
            let b: Float = x[row * 3 + 2] - 1
            t += [a, b]
        }
        let data = try Dataset(arrays: [
            "x": Tensor(shape: [24, 3], scalars: x), "t": Tensor(shape: [24, 2], scalars: t),
        ])
        return (model, data)
    }

    @Test func resumedRunEndsWithTheSameWeights() throws {
        let (model, data) = try Self.regression(
            training: "optimizer { kind: ADAM learning_rate: 0.05 } batch_size: 5 epochs: 4 seed: 3 shuffle: true")
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let straight = try Trainer(model, data: data)
        try straight.fit()

        var first = TrainingOptions()
        first.epochs = 2
        first.checkpointDirectory = directory
        try Trainer(model, data: data, options: first).fit()
        var second = TrainingOptions()
        second.epochs = 4
        second.checkpointDirectory = directory
        second.resume = true
        let resumed = try Trainer(model, data: data, options: second)
        #expect(resumed.startEpoch == 2)
        let reports = try resumed.fit()
        #expect(reports.map(\.epoch) == [3, 4])
        for name in ["w", "b"] {
            let resumedWeights = try #require(resumed.session.store.tensor(name))
            #expect(resumedWeights == (try #require(straight.session.store.tensor(name))), "\(name)")
        }
    }

    @Test func nonFiniteLossStopsNamingTheStep() throws {
        let (model, data) = try Self.regression(
            training: "optimizer { kind: SGD learning_rate: 1e18 } batch_size: 4 epochs: 3")
        let trainer = try Trainer(model, data: data)
        #expect {
            try trainer.fit()
        } throws: { error in
            guard case .nonFiniteLoss(_, let step, _, let tensor) = error as? TrainingError else { return false }
            // The weights grow until the squared error overflows float32: the outputs are still
            // finite, so the first non-finite value is the head's loss.
            return step >= 2 && (error as? TrainingError)?.description.contains("step \(step)") == true
                && tensor.contains("HeadLoss 'loss/r'")
        }
        // The failing step's update was skipped: the weights are as the last finite step left
        // them, with no NaN from an infinite gradient.
        for name in ["w", "b"] {
            #expect(trainer.session.store.tensor(name)?.scalars.allSatisfy { $0.isFinite } == true, "\(name)")
        }
    }

    @Test func earlyStoppingStopsWhenTheLossDoesNotImprove() throws {
        // A rate of 1e-30 changes no loss visible in Float (0 itself is refused), so the
        // validation loss never improves after the first epoch.
        let (model, data) = try Self.regression(
            training:
                "optimizer { kind: SGD learning_rate: 1e-9 } epochs: 10 validation_fraction: 0.25 early_stopping { patience: 2 }"
        )
        var options = TrainingOptions()
        options.learningRate = 1e-30
        let reports = try Trainer(model, data: data, options: options).fit()
        #expect(reports.count == 3)
        #expect(reports.allSatisfy { $0.validation?.samples == 6 })
    }

    @Test func validationFractionThatLeavesNothingIsRejected() throws {
        let (model, data) = try Self.regression(training: "validation_fraction: 1.0")
        #expect(throws: TrainingError.self) { try Trainer(model, data: data) }
    }

    /// Overrides obey the rules of the model's own values: a bad one is refused, never replaced.
    @Test func badOverridesAreRefused() throws {
        let (model, data) = try Self.regression(training: "optimizer { kind: SGD learning_rate: 0.1 }")
        var cases: [TrainingOptions] = []
        for rate: Float in [-1, 0, .nan, .infinity] {
            var options = TrainingOptions()
            options.learningRate = rate
            cases.append(options)
        }
        var options = TrainingOptions()
        options.batchSize = 0
        cases.append(options)
        options = TrainingOptions()
        options.epochs = 0
        cases.append(options)
        for options in cases {
            #expect {
                try Trainer(model, data: data, options: options)
            } throws: { error in
                (error as? TrainingError)?.code == "train.configuration"
            }
        }
    }

    /// A bad value in the model stops training with the check's diagnostic.
    @Test func badModelValuesStopTraining() throws {
        for training in ["batch_size: 0", "optimizer { learning_rate: -1 }", "epochs: 0"] {
            let (model, data) = try Self.regression(training: training)
            #expect {
                try Trainer(model, data: data)
            } throws: { error in
                guard case .runtime(.compile(let diagnostics))? = error as? TrainingError else { return false }
                return diagnostics.map(\.code) == ["training.out-of-range"]
            }
        }
    }

    /// The trainer exposes the compiler's warnings (here a training-section lint) before `fit`.
    @Test func trainerExposesTheWarnings() throws {
        let (model, data) = try Self.regression(training: "optimizer { kind: ADAM momentum: 0.9 }")
        let trainer = try Trainer(model, data: data)
        #expect(trainer.diagnostics.map(\.code) == ["training.unused-field"])
        #expect(trainer.diagnostics.first?.concernsInference == false)
    }

    @Test func trainingReducesTheLoss() throws {
        let (model, data) = try Self.regression(
            training: "optimizer { kind: ADAM learning_rate: 0.05 } batch_size: 8 epochs: 40 seed: 1")
        let trainer = try Trainer(model, data: data)
        let before = try trainer.evaluate(data).loss
        try trainer.fit()
        let after = try trainer.evaluate(data).loss
        // The targets are exactly linear in x, so the fit gets close to 0.
        #expect(after < before / 20, "loss \(before) → \(after)")
    }
}

/// Head configurations the review found fragile: a NONE reduction (its per-term loss summed for
/// the gradient), two heads encoding one label array differently, a weighted head whose weight
/// must stay a constant, a batch whose sample weights are all zero, and ORDINAL evaluation
/// without `num_classes`.
@Suite struct HeadConfigurationTrainingTests {
    static let data = try! Dataset(arrays: [
        "x": Tensor(shape: [12, 3], scalars: (0..<36).map { Float(($0 * 5) % 7) / 7 - 0.4 }),
        "y": Tensor(shape: [12], int64s: (0..<12).map { Int64($0 % 4) }),
        "w": Tensor(shape: [12], scalars: [Float](repeating: 0, count: 12)),
    ])

    static func model(_ heads: String, outputs: Int = 4) throws -> ProtoModel {
        try ProtoModel(
            textFormatString: """
                opset_version: 17
                graph {
                  name: "heads"
                  input { name: "x" elem_type: FLOAT dim { param: "N" } dim { value: 3 } }
                  output { name: "z" elem_type: FLOAT dim { param: "N" } dim { value: \(outputs) } }
                  output { name: "c" elem_type: FLOAT dim { param: "N" } dim { value: 2 } }
                  node { op_type: "Gemm" input: "x" input: "w1" output: "z" attribute { name: "transB" i: 1 } }
                  node { op_type: "Gemm" input: "x" input: "w2" output: "c" attribute { name: "transB" i: 1 } }
                  initializer { name: "w1" data_type: FLOAT dims: \(outputs) dims: 3 init { kind: GLOROT_UNIFORM } }
                  initializer { name: "w2" data_type: FLOAT dims: 2 dims: 3 init { kind: GLOROT_UNIFORM } }
                }
                \(heads)
                training { optimizer { kind: SGD learning_rate: 0.1 } batch_size: 5 epochs: 2 seed: 2 }
                """)
    }

    @Test func noneReductionTrainsAsTheSum() throws {
        // The same head with NONE and with SUM: one step's loss and weight gradients agree.
        func step(_ reduction: String) throws -> [Float] {
            let model = try Self.model(
                #"head { name: "a" output: "z" target: "y" encoding { kind: ONE_HOT num_classes: 4 } loss { kind: SOFTMAX_CROSS_ENTROPY from_logits: true reduction: \#(reduction) } }"#
            )
            let session = try TrainingSession(model: model)
            let target = try #require(session.training.targets[0])
            let feeds = [
                "x": try #require(Self.data.arrays["x"]),
                target: Tensor(shape: [12], int64s: (0..<12).map { Int64($0 % 4) }),
            ]
            let result = try session.step(feeds, learningRate: 0, fetching: ["grad/w1"])
            return [result.loss] + (try #require(result.values["grad/w1"])).scalars
        }
        let none = try step("NONE")
        let sum = try step("SUM")
        #expect(none.count == 13 && sum.count == 13, "the loss and 4×3 gradients")
        for (a, b) in zip(none, sum) { #expect(abs(a - b) <= 1e-5 * max(1, abs(b)), "NONE \(a), SUM \(b)") }
    }

    @Test func twoHeadsEncodeOneArrayAndHeadWeightsStayConstant() throws {
        let model = try Self.model(
            """
            head { name: "a" output: "z" target: "y" encoding { kind: ONE_HOT num_classes: 4 } loss { kind: SOFTMAX_CROSS_ENTROPY from_logits: true } metric: [ACCURACY] }
            head { name: "b" output: "c" target: "y" encoding { kind: BINARY_CODE num_classes: 4 } loss { kind: BINARY_CROSS_ENTROPY from_logits: true } weight: 2 metric: [ACCURACY] }
            """)
        let trainer = try Trainer(model, data: Self.data)
        #expect(trainer.session.training.parameters.map(\.name).sorted() == ["w1", "w2"])
        let reports = try trainer.fit()
        #expect(reports.last?.loss.isFinite == true)
        let report = try trainer.evaluate(Self.data)
        #expect(report.heads["a"] != nil && report.heads["b"] != nil)
    }

    @Test func allZeroSampleWeightsGiveZeroLossNotNaN() throws {
        let model = try Self.model(
            #"head { name: "a" output: "z" target: "y" encoding { kind: ONE_HOT num_classes: 4 } loss { kind: SOFTMAX_CROSS_ENTROPY from_logits: true reduction: MEAN_OVER_WEIGHTS sample_weight: "w" } }"#
        )
        let trainer = try Trainer(model, data: Self.data)
        let reports = try trainer.fit()
        #expect(reports.count == 2)
        #expect(reports.allSatisfy { $0.loss == 0 })
    }

    @Test func ordinalEvaluationWithoutClassCount() throws {
        // Levels 0..3 from 3 ordinal outputs (C − 1), num_classes left unset.
        let model = try Self.model(
            #"head { name: "o" output: "z" target: "y" encoding { kind: ORDINAL } loss { kind: BINARY_CROSS_ENTROPY from_logits: true } metric: [MAE, ACCURACY] }"#,
            outputs: 3)
        let trainer = try Trainer(model, data: Self.data)
        let report = try trainer.evaluate(Self.data)
        #expect(report.heads["o"]?.map(\.metric) == ["mae", "accuracy"])
    }
}
