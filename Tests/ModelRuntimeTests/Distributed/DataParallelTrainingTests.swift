import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// Data-parallel training (issue 15) with in-process ranks (`InProcessGroup`): K ranks with
/// batch B follow one process with batch K·B, and every rank ends with the same weights.
@Suite struct DataParallelTrainingTests {
    /// A linear regression y = x·W + b on `samples` samples (25: a last global batch of 1 leaves
    /// rank 1 without samples).
    static func regression(samples: Int = 25, training: String) throws -> (ProtoModel, Dataset) {
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
                head {
                  name: "r" output: "y" target: "t" encoding { kind: REAL num_classes: 2 }
                  loss { kind: MEAN_SQUARED_ERROR } metric: [MSE]
                }
                training { \(training) }
                """)
        let x: [Float] = (0..<(samples * 3)).map { Float(($0 * 37) % 11) / 11 - 0.5 }
        var t: [Float] = []
        for row in 0..<samples { t += [x[row * 3] + 2 * x[row * 3 + 1], x[row * 3 + 2] - 1] }
        let data = try Dataset(arrays: [
            "x": Tensor(shape: [samples, 3], scalars: x), "t": Tensor(shape: [samples, 2], scalars: t),
        ])
        return (model, data)
    }

    struct Outcome: Sendable {
        var weights: [String: [Float]]
        var reports: [EpochReport]
    }

    static func train(_ model: ProtoModel, _ data: Dataset, batchSize: Int, communicator: (any Communicator)?)
        throws -> Outcome
    {
        var options = TrainingOptions()
        options.batchSize = batchSize
        options.communicator = communicator
        let trainer = try Trainer(model, data: data, options: options)
        let reports = try trainer.fit()
        var weights: [String: [Float]] = [:]
        for name in ["w", "b"] { weights[name] = trainer.session.store.tensor(name)?.scalars }
        return Outcome(weights: weights, reports: reports)
    }

    /// SGD and a momentum optimiser, K = 2 and 3, with a validation split: the weights within
    /// 1e-5 of one process with batch K·B (float sums in another order differ by rounding
    /// only), the ranks bit-identical, the validation reports those of the one process.
    @Test(arguments: [("SGD", 2), ("SGD", 3), ("MOMENTUM", 2)])
    func ranksFollowOneProcessWithTheGlobalBatch(optimizer: String, ranks: Int) throws {
        let (model, data) = try Self.regression(
            training: "optimizer { kind: \(optimizer) learning_rate: 0.1 momentum: 0.5 } "
                + "epochs: 4 seed: 7 shuffle: true validation_fraction: 0.2")
        let batch = 3
        let single = try Self.train(model, data, batchSize: batch * ranks, communicator: nil)
        let group = InProcessGroup(size: ranks)
        let outcomes = try group.run { rank in
            try Self.train(model, data, batchSize: batch, communicator: group.member(rank))
        }
        for name in ["w", "b"] {
            let expected = try #require(single.weights[name])
            for (rank, outcome) in outcomes.enumerated() {
                let got = try #require(outcome.weights[name])
                #expect(got == outcomes[0].weights[name], "rank \(rank) \(name) differs from rank 0")
                let worst = zip(got, expected).map { abs($0 - $1) }.max() ?? 0
                #expect(worst <= 1e-5, "rank \(rank) \(name): \(got) vs one process \(expected)")
            }
        }
        for outcome in outcomes {
            #expect(outcome.reports.count == single.reports.count)
            for (parallel, one) in zip(outcome.reports, single.reports) {
                #expect(abs(parallel.loss - one.loss) <= 1e-5 * max(1, abs(one.loss)))
                let (a, b) = (try #require(parallel.validation), try #require(one.validation))
                #expect(a.samples == b.samples)
                #expect(abs(a.loss - b.loss) <= 1e-5 * max(1, abs(b.loss)))
                let mse = a.heads["r"]?.first?.value ?? .nan
                #expect(abs(mse - (b.heads["r"]?.first?.value ?? .nan)) <= 1e-5 * max(1, abs(mse)))
            }
        }
    }

    /// A non-finite loss stops every rank at the same step, each naming the rank whose loss
    /// went wrong first.
    @Test func nonFiniteLossStopsEveryRank() throws {
        let (model, data) = try Self.regression(
            training: "optimizer { kind: SGD learning_rate: 1e18 } epochs: 3 seed: 1")
        let group = InProcessGroup(size: 2)
        let errors = try group.run { rank -> String in
            do {
                _ = try Self.train(model, data, batchSize: 4, communicator: group.member(rank))
                return "no error"
            } catch let error as TrainingError {
                guard case .nonFiniteLoss(_, let step, _, let tensor) = error else { return "\(error)" }
                return "step \(step) \(tensor.hasPrefix("on rank ") ? String(tensor.prefix(9)) : tensor)"
            }
        }
        #expect(errors[0] == errors[1], "\(errors)")
        #expect(errors[0].hasPrefix("step ") && errors[0].contains("on rank "), "\(errors)")
    }
}
