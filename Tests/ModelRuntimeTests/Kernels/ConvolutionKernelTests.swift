import Foundation
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// Conv, FusedConv and ConvTranspose against onnxruntime (fixtures from
/// `scripts/fixtures/make_conv_pool_fixtures.py`), plus the errors bad nodes raise.
@Suite struct ConvolutionKernelTests {
    static let fixture = Result { try ConvPoolFixture(file: "conv.json") }

    @Test func fixtureLoadsWithEveryFamily() throws {
        let cases = try Self.fixture.get().cases
        #expect(Set(cases.map(\.op)) == ["Conv", "FusedConv", "ConvTranspose"])
        #expect(cases.count >= 40)
    }

    @Test(arguments: (try? fixture.get().cases) ?? [])
    func matchesReference(_ testCase: ConvPoolFixture.Case) throws {
        try testCase.check()
    }

    @Test(arguments: [
        ("Conv", [1, 2, 5], [3, 2, 3]),
        ("Conv", [1, 2, 4, 4, 4], [3, 2, 2, 2, 2]),
        ("ConvTranspose", [1, 2, 5], [2, 3, 3]),
        ("FusedConv", [1, 2, 5], [3, 2, 3]),
    ])
    func otherSpatialRanksAreRejectedAtBind(op: String, x: [Int], w: [Int]) throws {
        let attributes = op == "FusedConv" ? [attribute("activation", s: "Relu")] : []
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(
                op, inputs: [("X", ramp(x))], constants: [("W", ramp(w))], attributes: attributes)
        }
        guard case .bind(let node, let reportedOp, let reason) = error else {
            Issue.record("expected a bind error, got \(error)")
            return
        }
        #expect(node == "n" && reportedOp == op)
        #expect(reason.contains("2-D"), "\(reason)")
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

/// A fixture file written by `scripts/fixtures/make_conv_pool_fixtures.py` (format in its docstring).
struct ConvPoolFixture: Decodable, Sendable {
    let generator: String
    let onnxruntime: String
    let cases: [Case]

    init(file: String) throws {
        let url = SourceTree.url("Tests/ModelRuntimeTests/Kernels/Fixtures/\(file)")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        self = try decoder.decode(ConvPoolFixture.self, from: Data(contentsOf: url))
    }

    /// One node run on given inputs, with the outputs the reference produced.
    struct Case: Decodable, Sendable, CustomTestStringConvertible {
        let name: String
        let op: String
        let reference: String
        let attributes: [String: Attribute]
        let inputs: [Value]
        let constants: [Value]
        let outputs: [Value]
        let tolerance: Tolerance
        /// Why our runtime is known to disagree, when it is.
        let knownGap: String?

        var testDescription: String { name }

        enum CodingKeys: String, CodingKey {
            case name, op, reference, attributes, inputs, constants, outputs, tolerance
            case knownGap = "known_gap"
        }

        /// Runs the node and compares every output; a known gap is expected to fail.
        func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
            guard let knownGap else { return try compare(sourceLocation: sourceLocation) }
            withKnownIssue(Comment(rawValue: knownGap)) { try compare(sourceLocation: sourceLocation) }
        }

        private func compare(sourceLocation: SourceLocation) throws {
            let protoAttributes = attributes.keys.sorted().compactMap { key in attributes[key]?.proto(named: key) }
            let results = try runOneNode(
                op, inputs: inputs.map { ($0.name, $0.tensor) }, constants: constants.map { ($0.name, $0.tensor) },
                attributes: protoAttributes, outputs: outputs.count)
            for (expected, actual) in zip(outputs, results) {
                try #require(
                    actual.shape == expected.shape,
                    "\(name) \(expected.name): shape \(actual.shape), expected \(expected.shape)",
                    sourceLocation: sourceLocation)
                if expected.type == "int64" {
                    let wanted = expected.data.map { Int64($0) }
                    #expect(actual.int64s == wanted, "\(name) \(expected.name)", sourceLocation: sourceLocation)
                } else {
                    let mismatches = tolerance.mismatches(actual.scalars, expected.data.map { Float($0) })
                    #expect(
                        mismatches.isEmpty,
                        "\(name) \(expected.name): \(mismatches.count) of \(actual.count) differ, first \(mismatches.prefix(5))",
                        sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// |actual − expected| ≤ atol + rtol·|expected| per element.
    ///
    /// Why not exact: our im2col + sgemm and onnxruntime's kernels add the same float32
    /// products in a different order, so sums agree to a few ulps relative, not bit for bit;
    /// atol covers sums that cancel to near zero, where relative error means nothing.
    struct Tolerance: Decodable, Sendable {
        let rtol: Float
        let atol: Float

        /// (index, actual, expected) of every element outside the tolerance; NaN matches NaN.
        func mismatches(_ actual: [Float], _ expected: [Float]) -> [(Int, Float, Float)] {
            zip(actual, expected).enumerated().compactMap { index, pair in
                let (a, e) = pair
                if a.isNaN && e.isNaN || a == e { return nil }
                return abs(a - e) <= atol + rtol * abs(e) ? nil : (index, a, e)
            }
        }
    }

    /// An attribute value: exactly one of the fields is set.
    struct Attribute: Decodable, Sendable {
        let i: Int?
        let f: Float?
        let ints: [Int]?
        let s: String?

        func proto(named name: String) -> ProtoAttribute { attribute(name, f: f, i: i, ints: ints, s: s) }
    }

    /// A tensor: name, element type ("float32" or "int64"), shape and row-major data.
    struct Value: Decodable, Sendable {
        let name: String
        let type: String
        let shape: [Int]
        /// Row-major; int64 values are exact in Double (the fixtures stay below 2^53).
        let data: [Double]

        var tensor: Tensor {
            type == "int64"
                ? Tensor(shape: shape, int64s: data.map { Int64($0) })
                : Tensor(shape: shape, scalars: data.map { Float($0) })
        }
    }
}
