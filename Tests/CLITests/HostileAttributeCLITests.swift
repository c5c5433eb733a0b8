import Foundation
import ModelRuntime
import Testing
import TestSupport

/// The models that passed `modelc check` and then crashed `modelrun infer` with a signal
/// (issue 13) now exit 1 with a coded message from both tools.
@Suite struct HostileAttributeCLITests {
    static let cases: [(name: String, source: String, inputShape: [Int], checkCode: String?, inferCode: String)] = [
        ("gemm_transB_2", HostileModels.gemm(transB: 2), [2, 4], "node.attribute-value", "node.attribute-value"),
        ("gemm_transB_2^56", HostileModels.gemm(transB: 1 << 56), [2, 4], "node.attribute-value", "node.attribute-value"),
        ("gemm_transA_-1", HostileModels.gemm(transB: 0, transA: -1), [2, 4], "node.attribute-value", "node.attribute-value"),
        ("reshape_huge", HostileModels.reshape(to: [1 << 62, 4, 1 << 40]), [2, 4], "shape.too-large", "shape.too-large"),
        (
            "maxpool_pads_2^40",
            HostileModels.maxPool("attribute { name: \"pads\" ints: [1099511627776, 0, 0, 0] }"), [1, 1, 4, 4],
            "node.attribute-value", "node.attribute-value"
        ),
        // Symbolic batch: `check` cannot size the output, the plan for the given batch refuses it.
        (
            "maxpool_pads_2^31-1",
            HostileModels.maxPool("attribute { name: \"pads\" ints: [2147483647, 2147483647, 2147483647, 2147483647] }"),
            [1, 1, 4, 4], nil, "shape.too-large"
        ),
    ]

    @Test(arguments: cases.indices)
    func checkAndInferExitOneWithACode(index: Int) throws {
        let testCase = Self.cases[index]
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = directory.appendingPathComponent("\(testCase.name).pbtxt")
        try Data(testCase.source.utf8).write(to: model)
        let input = directory.appendingPathComponent("x.npy")
        let count = testCase.inputShape.reduce(1, *)
        try NPY.write(Tensor(shape: testCase.inputShape, scalars: (0..<count).map { Float($0) }), to: input)

        let check = try ToolRunner("modelc").run(["check", model.path])
        #expect(!check.signalled, "\(testCase.name): check ended by a signal")
        if let code = testCase.checkCode {
            #expect(check.status == 1, "\(testCase.name): check status \(check.status), stderr \(check.stderr)")
            #expect(check.stderr.contains(code), "\(testCase.name): \(check.stderr)")
        } else {
            #expect(check.status == 0, "\(testCase.name): \(check.stderr)")
        }
        let infer = try ToolRunner("modelrun").run(["infer", model.path, "--input", "x=\(input.path)"])
        #expect(!infer.signalled, "\(testCase.name): infer ended by a signal")
        #expect(infer.status == 1, "\(testCase.name): infer status \(infer.status), stderr \(infer.stderr)")
        #expect(infer.stderr.contains(testCase.inferCode), "\(testCase.name): \(infer.stderr)")
    }
}

/// A FIFO given as the model or as a data file is refused at once, with a message saying it
/// is a FIFO (it used to read "You don't have permission").
@Suite struct NonRegularFileCLITests {
    @Test func fifoAsModelAndAsInputData() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("model.pbtxt").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let check = try ToolRunner("modelc").run(["check", fifo])
        #expect(!check.signalled && check.status == 1, "\(check.stderr)")
        #expect(check.stderr.contains("format.unreadable") && check.stderr.contains("FIFO"), "\(check.stderr)")

        let model = directory.appendingPathComponent("gemm.pbtxt")
        try Data(HostileModels.gemm(transB: 1).utf8).write(to: model)
        let infer = try ToolRunner("modelrun").run(["infer", model.path, "--input", "x=\(fifo)"])
        #expect(!infer.signalled && infer.status == 1, "\(infer.stderr)")
        #expect(infer.stderr.contains("data.unreadable") && infer.stderr.contains("FIFO"), "\(infer.stderr)")
    }
}

/// External data whose location is a FIFO beside the model blocked `check`, `compile` and
/// `infer` forever; each now exits 1 at once, naming the FIFO.
@Suite struct ExternalDataFIFOCLITests {
    @Test func checkCompileAndInferRefuseAFIFOAsExternalData() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(mkfifo(directory.appendingPathComponent("weights.bin").path, 0o600) == 0)
        let model = directory.appendingPathComponent("model.pbtxt")
        let source = HostileModels.gemm(transB: 1).replacingOccurrences(
            of: try #require(HostileModels.gemm(transB: 1).split(separator: "\n").first { $0.contains("initializer") })
                .trimmingCharacters(in: .whitespaces),
            with: "initializer { name: \"W\" dims: [3, 4] external { location: \"weights.bin\" } }")
        #expect(source.contains("weights.bin"))
        try Data(source.utf8).write(to: model)
        let input = directory.appendingPathComponent("x.npy")
        try NPY.write(Tensor(shape: [2, 4], scalars: (0..<8).map(Float.init)), to: input)
        let output = directory.appendingPathComponent("out.model").path
        for (tool, arguments) in [
            ("modelc", ["check", model.path]), ("modelc", ["compile", model.path, "-o", output]),
            ("modelrun", ["infer", model.path, "--input", "x=\(input.path)"]),
        ] {
            guard let result = try ToolRunner(tool).run(arguments, timeout: 20) else {
                Issue.record("\(tool) \(arguments[0]) hung on a FIFO named as external data")
                continue
            }
            #expect(!result.signalled && result.status == 1, "\(tool) \(arguments[0]): \(result.stderr)")
            #expect(result.stderr.contains("tensor.external-data"), "\(result.stderr)")
            #expect(result.stderr.contains("it is a FIFO (named pipe), not a regular file"), "\(result.stderr)")
        }
    }
}
