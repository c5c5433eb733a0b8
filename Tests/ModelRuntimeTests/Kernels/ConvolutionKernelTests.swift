import Foundation
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// Conv, FusedConv and ConvTranspose against onnxruntime (fixtures from
/// `scripts/fixtures/make_conv_pool_fixtures.py`), plus the errors bad nodes raise.
@Suite struct ConvolutionKernelTests {
    @Test func fixtureLoadsWithEveryFamily() throws {
        let cases = try KernelFixtureCase.load("conv.json")
        #expect(Set(cases.map(\.op)) == ["Conv", "FusedConv", "ConvTranspose"])
        #expect(cases.count >= 40)
    }

    @Test(arguments: try KernelFixtureCase.load("conv.json"))
    func matchesReference(_ testCase: KernelFixtureCase) throws {
        try testCase.check()
    }

    @Test func convolutionCoversOneToThreeSpatialAxes() throws {
        let cases = try KernelFixtureCase.load("conv.json").filter { $0.op == "Conv" }
        let ranks = Set(cases.compactMap { $0.inputs.first?.shape.count })
        #expect(ranks == [3, 4, 5], "fixture ranks \(ranks)")
    }

    @Test(arguments: [
        ("Conv", [1, 2, 3, 3, 3, 3], [3, 2, 2, 2, 2, 2], "1 to 3 spatial axes"),
        ("ConvTranspose", [1, 2, 5], [2, 3, 3], "2-D"),
    ])
    func otherSpatialRanksAreRejectedAtBind(op: String, x: [Int], w: [Int], expected: String) throws {
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(op, inputs: [("X", ramp(x))], constants: [("W", ramp(w))])
        }
        guard case .bind(let node, let reportedOp, let reason) = error else {
            Issue.record("expected a bind error, got \(error)")
            return
        }
        #expect(node == "n" && reportedOp == op)
        #expect(reason.contains(expected), "\(reason)")
        #expect(error.description.hasPrefix("\(op) 'n': "), "\(error)")
    }

    @Test func channelMismatchSurfacesAsARuntimeErrorFromShapeInference() throws {
        // X has 3 channels, W expects 2 (group 1): shape inference, not the kernel, rejects it.
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode("Conv", inputs: [("X", ramp([1, 3, 5, 5]))], constants: [("W", ramp([4, 2, 3, 3]))])
        }
        guard case .compile(let diagnostics) = error else {
            Issue.record("expected a compile error, got \(error)")
            return
        }
        #expect(diagnostics.contains { $0.message.contains("channels") }, "\(error)")
    }

    @Test func unknownFusedActivationIsRejected() throws {
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(
                "FusedConv", inputs: [("X", ramp([1, 2, 4, 4]))], constants: [("W", ramp([2, 2, 3, 3]))],
                attributes: [attribute("activation", s: "Softsign")])
        }
        #expect(error.description.contains("Softsign"), "\(error)")
    }

    /// The output positions each tap reaches: o·stride − pad + k·dilation must land in 0..<dense.
    @Test(arguments: [
        // kernel, stride, dilation, pad, dense, strided, tap, expected
        (3, 1, 1, 1, 5, 5, 0, 1..<5),
        (3, 1, 1, 1, 5, 5, 2, 0..<4),
        (3, 2, 2, 2, 7, 4, 0, 1..<4),
        (3, 2, 2, 2, 7, 4, 2, 0..<3),
        (2, 3, 1, 0, 4, 2, 1, 0..<1),
        (3, 1, 1, 3, 1, 5, 0, 3..<4),
        (3, 1, 1, 3, 1, 5, 1, 2..<3),
    ])
    func tapsCoverExactlyTheInBoundsPositions(
        kernel: Int, stride: Int, dilation: Int, pad: Int, dense: Int, strided: Int, tap: Int, expected: Range<Int>
    ) {
        let axis = WindowAxis(
            kernel: kernel, stride: stride, dilation: dilation, padBegin: pad, padEnd: 0, dense: dense,
            strided: strided)
        #expect(axis.taps(tap) == expected)
        // Brute force agrees.
        let brute = (0..<strided).filter { (0..<dense).contains($0 * stride - pad + tap * dilation) }
        #expect(Array(axis.taps(tap)) == brute)
    }

    private func ramp(_ shape: [Int]) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 % 7) * 0.25 - 0.5 })
    }
}
