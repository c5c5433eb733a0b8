import ArgumentParser
import Foundation
import CLISupport
import ModelRuntime

/// `modelrun bench MODEL [--batch-size B] [--threads N] [--json]`.
struct Bench: ParsableCommand, JSONReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Time inference on generated inputs: warm-up, then repeated runs (min/median/max, throughput).")

    @Argument(help: "The model: .pbtxt, .model or .onnx.")
    var model: String

    @Option(help: "Batch size substituted for symbolic dims.")
    var batchSize: Int = 1

    @Option(help: "Threads for every kernel (oneDNN and the runtime's own).")
    var threads: Int = 1

    @Option(help: "Timed runs after the warm-up.")
    var runs: Int = 50

    @Option(help: "Untimed warm-up runs.")
    var warmup: Int = 5

    @Flag(help: "Print the result as JSON on stdout.")
    var json = false

    @Flag(help: "Also name the instruction set oneDNN uses and, per node, its time and implementation.")
    var verbose = false

    func validate() throws {
        guard batchSize >= 1, threads >= 1, runs >= 1, warmup >= 0 else {
            throw ValidationError("--batch-size, --threads and --runs must be at least 1")
        }
    }

    func run() throws {
        let (proto, url) = try loadModel(model)
        let compiled = try compileForRunning(proto, file: url)
        do {
            let session = try InferenceSession(compiled, threads: threads)
            let result = try Benchmark.run(session, batchSize: batchSize, warmup: warmup, runs: runs)
            let nodes = verbose ? try session.profile(Benchmark.inputs(for: session, batchSize: batchSize)) : nil
            if json {
                Output.json(VerboseResult(result: result, mathLibrary: InferenceSession.mathLibrary, nodes: nodes))
            } else {
                print(
                    "batch \(result.batchSize), \(result.threads) thread(s), \(result.runs) runs: "
                        + "min \(format(result.minMilliseconds)) ms, median \(format(result.medianMilliseconds)) ms, "
                        + "max \(format(result.maxMilliseconds)) ms, \(format(result.samplesPerSecond)) samples/s")
                if let nodes {
                    print("math library: \(InferenceSession.mathLibrary)")
                    for node in nodes {
                        print("  \(format(node.milliseconds)) ms  \(node.op) '\(node.node)': \(node.implementation)")
                    }
                }
            }
        } catch {
            Output.failure(error.code, error.description)
            throw InvalidInput()
        }
    }

    private func format(_ value: Double) -> String { String(format: "%.3f", value) }

    /// The JSON document: the benchmark's fields, plus the math library and per-node profile
    /// with `--verbose`.
    private struct VerboseResult: Encodable {
        let result: BenchmarkResult
        let mathLibrary: String
        let nodes: [NodeProfile]?

        func encode(to encoder: Encoder) throws {
            try result.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(mathLibrary, forKey: .mathLibrary)
            try container.encodeIfPresent(nodes, forKey: .nodes)
        }

        enum Key: String, CodingKey { case mathLibrary, nodes }
    }
}
