import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// Inputs that used to pass `check` and then crash `infer` (issue 13) now stop with a typed
/// error: at plan time for symbolic shapes, at bind time in the kernel for attributes.
@Suite struct HostileShapeTests {
    /// MaxPool pads of 2^31 − 1 with a symbolic batch: each spatial extent is about 2^32, so the
    /// output's element count is about 2^64. `check` cannot know N; the plan for N = 1 must
    /// refuse it (it trapped in `Planner.plan`'s `reduce(1, *)`).
    @Test func hugePoolPadsWithASymbolicBatchFailAtPlanTime() throws {
        let pads = "attribute { name: \"pads\" ints: [2147483647, 2147483647, 2147483647, 2147483647] }"
        let model = try HostileModels.parse(HostileModels.maxPool(pads))
        #expect(ModelCheck.run(model).filter { $0.severity == .error }.isEmpty, "the shape is symbolic at check time")
        let session = try InferenceSession(model: model)
        let x = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        do {
            _ = try session.run(["x": x])
            Issue.record("a plan with a 2^64-element output was built")
        } catch {
            guard case .compile(let diagnostics) = error else {
                Issue.record("expected a compile error, got \(error)")
                return
            }
            #expect(diagnostics.map(\.code).contains("shape.too-large"), "\(diagnostics.map(\.rendered))")
            #expect(diagnostics.first?.location.node == "pool")
        }
    }

    /// Pads of 2^30: the output is representable (about 2^62 bytes) but over the tensor limit.
    @Test func largePoolPadsFailAtPlanTimeWithTheLimit() throws {
        let pads = "attribute { name: \"pads\" ints: [1073741824, 1073741824, 1073741824, 1073741824] }"
        let session = try InferenceSession(model: try HostileModels.parse(HostileModels.maxPool(pads)))
        let x = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map(Float.init))
        #expect(throws: RuntimeError.self) { try session.run(["x": x]) }
    }

    /// The kernel decodes with the checker's struct: binding a Gemm with transB = 2 (as a graph
    /// built in-process, past the checker, would) is a bind error naming the attribute.
    @Test(arguments: [Int(2), -1, 1 << 31, 1 << 56])
    func gemmKernelRefusesAFlagOutsideZeroOne(value: Int) throws {
        var attributes = Attributes([])
        attributes.set("transB", int: value)
        let node = BoundNode(
            name: "fc", op: .gemm, attributes: attributes, inputShapes: [[2, 4], [3, 4]], inputTypes: [.float32, .float32],
            outputShapes: [[2, 3]], outputTypes: [.float32], constants: [:])
        #expect(throws: RuntimeError.bind(node: "fc", op: "Gemm", reason: "attribute transB: transB is \(value); it must be 0 or 1")) {
            _ = try makeKernel(node)
        }
    }

    @Test func poolKernelRefusesACeilModeOfTwo() throws {
        var attributes = Attributes([])
        attributes.set("kernel_shape", ints: [2, 2])
        attributes.set("ceil_mode", int: 2)
        let node = BoundNode(
            name: "pool", op: .maxPool, attributes: attributes, inputShapes: [[1, 1, 4, 4]], inputTypes: [.float32],
            outputShapes: [[1, 1, 2, 2]], outputTypes: [.float32], constants: [:])
        #expect(throws: RuntimeError.self) { _ = try makeKernel(node) }
    }
}
