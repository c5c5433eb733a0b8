import Foundation
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// The comparison rule (numpy `allclose`), the known-gaps list, and the runner end to end on
/// case folders written here in the layout of the ONNX backend tests.
@Suite struct ConformanceRunnerTests {
    // MARK: comparison

    private func floats(_ values: [Float]) -> Tensor { Tensor(shape: [values.count], scalars: values) }

    @Test func comparesWithAllcloseSemantics() throws {
        let expected = floats([1, 100, 0, .nan, .infinity, -.infinity])
        // |a-b| <= atol + rtol*|b|: 1.0009 is within 1e-3 of 1, 100.09 within 0.1 of 100, 5e-8 within atol of 0.
        let close = floats([1.0009, 100.09, 5e-8, .nan, .infinity, -.infinity])
        let result = try ConformanceComparison.compare(expected: expected, got: close, rtol: 1e-3, atol: 1e-7)
        #expect(result.mismatches == 0)

        let far = floats([1.002, 100, 2e-7, 0, -.infinity, .nan])
        let mismatch = try ConformanceComparison.compare(expected: expected, got: far, rtol: 1e-3, atol: 1e-7)
        #expect(mismatch.mismatches == 5)
        #expect(mismatch.firstMismatch?.index == 0)
    }

    @Test func shapesAndElementTypesMustBeEqual() {
        #expect(throws: ConformanceComparison.Incompatibility.shape(expected: [2], got: [1, 2])) {
            try ConformanceComparison.compare(
                expected: floats([1, 2]), got: Tensor(shape: [1, 2], scalars: [1, 2]), rtol: 1e-3, atol: 1e-7)
        }
        #expect(throws: ConformanceComparison.Incompatibility.elementType(expected: .float32, got: .int64)) {
            try ConformanceComparison.compare(
                expected: floats([1, 2]), got: Tensor(shape: [2], int64s: [1, 2]), rtol: 1e-3, atol: 1e-7)
        }
    }

    // MARK: known gaps

    @Test func parsesTheKnownGapsList() throws {
        let gaps = try KnownGaps(parsing: "# comment\n\ntest_a  reason one\ntest_b\treason two words\n")
        #expect(gaps.reasons == ["test_a": "reason one", "test_b": "reason two words"])
        #expect(throws: ConformanceSuiteError.self) { try KnownGaps(parsing: "test_a\n") }
        #expect(throws: ConformanceSuiteError.self) { try KnownGaps(parsing: "test_a x\ntest_a y\n") }
    }

    // MARK: end to end

    /// A one-node ONNX case folder: `op` on a FLOAT input `x` of `shape`, output `y`.
    private func writeCase(
        in root: URL, name: String, op: String, opset: Int64 = 17, shape: [Int64], input: [Float], expected: [Float]
    ) throws -> URL {
        func valueInfo(_ name: String) -> Onnx_ValueInfoProto {
            var info = Onnx_ValueInfoProto()
            info.name = name
            var type = Onnx_TypeProto()
            type.tensorType.elemType = 1
            type.tensorType.shape.dim = shape.map { extent in
                var dim = Onnx_TensorShapeProto.Dimension()
                dim.dimValue = extent
                return dim
            }
            info.type = type
            return info
        }
        func tensor(_ name: String, _ values: [Float]) -> Onnx_TensorProto {
            var proto = Onnx_TensorProto()
            proto.name = name
            proto.dataType = 1
            proto.dims = shape
            proto.rawData = TensorProtoReaderTests.littleEndian(values.map(\.bitPattern))
            return proto
        }
        var model = Onnx_ModelProto()
        model.irVersion = 8
        var opsetID = Onnx_OperatorSetIdProto()
        opsetID.version = opset
        model.opsetImport = [opsetID]
        var node = Onnx_NodeProto()
        node.opType = op
        node.input = ["x"]
        node.output = ["y"]
        model.graph.name = name
        model.graph.node = [node]
        model.graph.input = [valueInfo("x")]
        model.graph.output = [valueInfo("y")]

        let folder = root.appendingPathComponent(name)
        let data = folder.appendingPathComponent("test_data_set_0")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try (model.serializedBytes() as Data).write(to: folder.appendingPathComponent("model.onnx"))
        try (tensor("x", input).serializedBytes() as Data).write(to: data.appendingPathComponent("input_0.pb"))
        try (tensor("y", expected).serializedBytes() as Data).write(to: data.appendingPathComponent("output_0.pb"))
        return folder
    }

    @Test func classifiesPassedFailedAndNotSupported() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let x: [Float] = [-1, 0, 2, -3.5, 4, 0.25]
        _ = try writeCase(
            in: root, name: "test_relu", op: "Relu", shape: [2, 3], input: x, expected: x.map { max($0, 0) })
        _ = try writeCase(
            in: root, name: "test_relu_wrong", op: "Relu", shape: [2, 3], input: x, expected: x.map { max($0, 0) + 0.5 }
        )
        _ = try writeCase(
            in: root, name: "test_relu_opset26", op: "Relu", opset: 26, shape: [2, 3], input: x, expected: x)
        _ = try writeCase(in: root, name: "test_sin", op: "Sin", shape: [6], input: x, expected: x.map(sin))

        let cases = try ConformanceSuite.discover(root)
        #expect(cases.map(\.name) == ["test_relu", "test_relu_opset26", "test_relu_wrong", "test_sin"])
        #expect(cases.allSatisfy { $0.rtol == 1e-3 && $0.atol == 1e-7 })
        let outcomes = Dictionary(uniqueKeysWithValues: cases.map { ($0.name, ConformanceRunner.run($0)) })

        #expect(outcomes["test_relu"]?.status == .passed)
        #expect(outcomes["test_relu_wrong"]?.status == .failed)
        #expect(outcomes["test_relu_wrong"]?.reason?.contains("6 of 6 element(s)") == true)
        #expect(outcomes["test_relu_wrong"]?.maxAbsDiff == 0.5)
        #expect(outcomes["test_relu_opset26"]?.status == .notSupported)
        #expect(outcomes["test_relu_opset26"]?.reason?.contains("model.unsupported-opset") == true)
        #expect(outcomes["test_sin"]?.status == .notSupported)
        #expect(outcomes["test_sin"]?.reason == "op Sin is not implemented")

        let gaps = try KnownGaps(parsing: "test_relu_wrong  adds one half\ntest_relu  stale entry\n")
        let report = ConformanceReport(
            results: cases.map {
                ConformanceResult(
                    case: $0, outcome: outcomes[$0.name] ?? .failed("missing"), knownGapReason: gaps[$0.name])
            })
        #expect(report.totals == .init(passed: 1, failed: 0, notSupported: 2, knownGaps: 1))
        #expect(report.succeeded)
        #expect(report.staleKnownGaps == ["test_relu"])
        #expect(report.ops.map(\.op) == ["Relu", "Sin"])
        #expect(report.markdown().hasSuffix("1 passed, 0 failed, 2 not supported"))
    }

    @Test func aBrokenCaseIsAFailedRowNotAThrow() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let x: [Float] = [1, 2]
        let folder = try writeCase(in: root, name: "test_relu", op: "Relu", shape: [2], input: x, expected: x)
        // raw_data of 4 bytes for a [2] FLOAT output: the length disagrees with dims.
        var bad = Onnx_TensorProto()
        bad.name = "y"
        bad.dataType = 1
        bad.dims = [2]
        bad.rawData = Data(count: 4)
        try (bad.serializedBytes() as Data).write(to: folder.appendingPathComponent("test_data_set_0/output_0.pb"))
        let outcome = ConformanceRunner.run(ConformanceCase(name: "test_relu", directory: folder, op: "Relu"))
        #expect(outcome.status == .failed)
        #expect(outcome.reason?.contains("holds 4 bytes") == true)
    }
}
