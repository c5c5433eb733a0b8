import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// The AllReduce kernel: Y_i = Σ over ranks of W·X_i, for a bucket of tensors packed into one
/// buffer, through the injected communicator.
@Suite struct AllReduceKernelTests {
    /// A second rank that always contributes `peer` (one value per bucket element).
    final class FixedPeer: Communicator, @unchecked Sendable {
        let peer: [Float]
        var failing = false
        private(set) var failure: RuntimeError?
        init(peer: [Float]) { self.peer = peer }
        var rank: Int { 0 }
        var size: Int { 2 }
        func sumInPlace(_ values: UnsafeMutablePointer<Float>, count: Int) -> Bool {
            if failing {
                failure = .communication(rank: 1, reason: "peer gone")
                return false
            }
            for index in 0..<count { values[index] += peer[index] }
            return true
        }
        func sum(_ values: [Double]) throws(RuntimeError) -> [Double] { values }
        func broadcast(_ values: UnsafeMutablePointer<Float>, count: Int, from root: Int) throws(RuntimeError) {}
    }

    /// A graph of one AllReduce node over inputs a [2, 3] and b [2], with weight input w.
    static func session(_ communicator: any Communicator) throws -> InferenceSession {
        var model = ProtoModel()
        model.opsetVersion = 17
        model.graph.name = "all_reduce"
        var node = ProtoNode()
        node.name = "reduce"
        node.opType = "AllReduce"
        node.domain = OpDomain.ours
        node.input = ["w", "a", "b"]
        node.output = ["ya", "yb"]
        model.graph.node = [node]
        model.graph.input = [valueInfo("w", [1]), valueInfo("a", [2, 3]), valueInfo("b", [2])]
        model.graph.output = [valueInfo("ya", [2, 3]), valueInfo("yb", [2])]
        let graph = try Graph(model.graph)
        return try InferenceSession(model: model, graph: graph, threads: 1, communicator: communicator)
    }

    static let a: [Float] = [1, -2, 3, 0.5, 8, -16]
    static let b: [Float] = [10, -0.25]

    @Test func identityCommunicatorScalesByTheWeight() throws {
        let session = try Self.session(SingleProcessCommunicator.shared)
        let out = try session.run([
            "w": Tensor(shape: [1], scalars: [0.25]), "a": Tensor(shape: [2, 3], scalars: Self.a),
            "b": Tensor(shape: [2], scalars: Self.b),
        ])
        #expect(out["ya"]?.scalars == Self.a.map { 0.25 * $0 })
        #expect(out["yb"]?.scalars == Self.b.map { 0.25 * $0 })
        #expect(out["ya"]?.shape == [2, 3])
    }

    /// The bucket is a's elements then b's: the peer's values land on the matching elements.
    @Test func peerContributionsLandOnTheirElements() throws {
        let peer: [Float] = [100, 200, 300, 400, 500, 600, 700, 800]
        let session = try Self.session(FixedPeer(peer: peer))
        let out = try session.run([
            "w": Tensor(shape: [1], scalars: [0.5]), "a": Tensor(shape: [2, 3], scalars: Self.a),
            "b": Tensor(shape: [2], scalars: Self.b),
        ])
        #expect(out["ya"]?.scalars == zip(Self.a, peer.prefix(6)).map { 0.5 * $0 + $1 })
        #expect(out["yb"]?.scalars == zip(Self.b, peer.suffix(2)).map { 0.5 * $0 + $1 })
    }

    /// A failed collective yields NaN (so the optimiser skips the step) and the failure.
    @Test func failedCollectiveGivesNaN() throws {
        let communicator = FixedPeer(peer: Array(repeating: 0, count: 8))
        communicator.failing = true
        let session = try Self.session(communicator)
        let out = try session.run([
            "w": Tensor(shape: [1], scalars: [1]), "a": Tensor(shape: [2, 3], scalars: Self.a),
            "b": Tensor(shape: [2], scalars: Self.b),
        ])
        #expect(out["ya"]?.scalars.allSatisfy(\.isNaN) == true)
        #expect(communicator.failure?.code == "runtime.communication")
    }

    /// A training session compiled with the all-reduce and the identity communicator trains
    /// exactly as one without it (W = 1: the reduction is the identity).
    @Test func identityAllReduceLeavesTrainingUnchanged() throws {
        let (model, data) = try DataParallelTrainingTests.regression(
            training: "optimizer { kind: ADAM learning_rate: 0.05 } epochs: 3 seed: 5 gradient_clip_norm: 0.5")
        let plain = try DataParallelTrainingTests.train(model, data, batchSize: 4, communicator: nil)
        let session = try TrainingSession(model: model, communicator: SingleProcessCommunicator.shared)
        #expect(session.training.graph.nodes.contains { $0.op == .allReduce })
        var options = TrainingOptions()
        options.batchSize = 4
        options.communicator = SingleProcessCommunicator.shared
        let trainer = try Trainer(model, data: data, options: options)
        try trainer.fit()
        for name in ["w", "b"] { #expect(trainer.session.store.tensor(name)?.scalars == plain.weights[name]) }
    }
}
