import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

@Suite struct InferenceSessionTests {
    /// The PyTorch MLP fixture (64-32-10, Gemm with transB = 1).
    private func mlpSession(threads: Int = 1) throws -> (InferenceSession, ProtoModel) {
        let model = try ProtoModel(contentsOf: SourceTree.url("Tests/ModelFormatTests/Fixtures/onnx/torch_mlp.onnx"))
        return (try InferenceSession(model: model, threads: threads), model)
    }

    /// A float64 reference written out in loops: y = W2·relu(W1·x + b1) + b2.
    private func referenceMLP(_ model: ProtoModel, _ x: [Float], batch: Int) throws -> [Double] {
        func weights(_ name: String) throws -> [Double] {
            try #require(model.graph.initializer.first { $0.name == name }).floatValues().map(Double.init)
        }
        let (w1, b1, w2, b2) = (
            try weights("0.weight"), try weights("0.bias"), try weights("2.weight"), try weights("2.bias")
        )
        var out: [Double] = []
        for n in 0..<batch {
            var hidden = [Double](repeating: 0, count: 32)
            for j in 0..<32 {
                var sum = b1[j]
                for i in 0..<64 { sum += w1[j * 64 + i] * Double(x[n * 64 + i]) }
                hidden[j] = max(sum, 0)
            }
            for j in 0..<10 {
                var sum = b2[j]
                for i in 0..<32 { sum += w2[j * 32 + i] * hidden[i] }
                out.append(sum)
            }
        }
        return out
    }

    private func input(batch: Int) -> [Float] {
        (0..<(batch * 64)).map { Float(sin(Double($0) * 0.37)) }
    }

    /// Batch 40 on 2 threads is a split run (two parts of 20 rows).
    @Test(arguments: [1, 3, 17, 40], [1, 2])
    func mlpMatchesAFloat64Reference(batch: Int, threads: Int) throws {
        let (session, model) = try mlpSession(threads: threads)
        let x = input(batch: batch)
        let result = try session.run(["x": Tensor(shape: [batch, 64], scalars: x)])
        let logits = try #require(result["logits"])
        #expect(logits.shape == [batch, 10])
        // Batches of 32 rows or more split on 2 threads when there are two cores to use.
        #expect(session.ranSplit == (threads > 1 && batch >= 32 && WorkerPool.shared.capacity >= 2))
        let expected = try referenceMLP(model, x, batch: batch)
        // float32 accumulation over 64 terms of size ~1: relative error well under 1e-5.
        for (got, want) in zip(logits.scalars, expected) {
            #expect(abs(Double(got) - want) <= 1e-5 * max(1, abs(want)))
        }
    }

    @Test func fetchesIntermediateValues() throws {
        let (session, _) = try mlpSession()
        let result = try session.run(
            ["x": Tensor(shape: [2, 64], scalars: input(batch: 2))], outputs: ["/1/Relu_output_0"])
        let hidden = try #require(result["/1/Relu_output_0"])
        #expect(hidden.shape == [2, 32])
        #expect(hidden.scalars.allSatisfy { $0 >= 0 })
    }

    /// With 2 threads, batches of 32 rows and more are split runs (`BatchSplit`); concurrent
    /// callers then find the worker pool busy and run their parts inline, with the same result.
    @Test(arguments: [1, 2])
    func runsFromEightThreadsAtOnce(threads: Int) async throws {
        let (session, _) = try mlpSession(threads: threads)
        #expect((session.batchSplit != nil) == (threads > 1))
        let batches = [1, 2, 3, 5, 8, 33, 40, 64].map { Tensor(shape: [$0, 64], scalars: input(batch: $0)) }
        let sequential = try batches.map { try session.run(["x": $0])["logits"] }
        let concurrent = try await withThrowingTaskGroup(of: (Int, Tensor?).self) { group in
            for (index, batch) in batches.enumerated() {
                for _ in 0..<4 { group.addTask { (index, try session.run(["x": batch])["logits"]) } }
            }
            var results: [(Int, Tensor?)] = []
            for try await result in group { results.append(result) }
            return results
        }
        #expect(concurrent.count == 32)
        #expect(sequential.allSatisfy { $0 != nil })
        for (index, tensor) in concurrent { #expect(tensor == sequential[index]) }
    }

    @Test func wrongFeedsNameTheInputAndShapes() throws {
        let (session, _) = try mlpSession()
        #expect(throws: RuntimeError.input(name: "x", reason: "expected shape [N,64], given [2,63]")) {
            _ = try session.run(["x": Tensor(zeros: [2, 63])])
        }
        #expect(throws: RuntimeError.input(name: "x", reason: "missing; expected [N,64]")) {
            _ = try session.run([:])
        }
        #expect(throws: RuntimeError.input(name: "x", reason: "expected FLOAT elements, given int64")) {
            _ = try session.run(["x": Tensor(zeros: [1, 64], type: .int64)])
        }
        #expect(throws: RuntimeError.self) {
            _ = try session.run(["x": Tensor(zeros: [1, 64]), "y": Tensor(zeros: [1])])
        }
        #expect(throws: RuntimeError.unknownOutput(name: "nope")) {
            _ = try session.run(["x": Tensor(zeros: [1, 64])], outputs: ["nope"])
        }
    }
}
