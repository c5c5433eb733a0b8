import ArgumentParser
import CLISupport
import Foundation
import ModelRuntime

/// `modelrun infer MODEL --input NAME=FILE [...] [--fetch NAME ...] [-o OUT.npz] [--label-column INDEX|NAME]
/// [--decode] [--threads N]`.
struct Infer: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a model on inputs read from .npy/.npz/.csv/IDX files; write outputs or decoded labels.")

    @Argument(help: "The model: .pbtxt, .model or .onnx.")
    var model: String

    @Option(name: .customLong("input"), help: "NAME=FILE: feed graph input NAME from FILE (.npy, .npz, .csv[.gz], IDX[.gz]).")
    var inputs: [String] = []

    @Option(
        name: .customLong("fetch"),
        help: ArgumentHelp(
            "A value to fetch, repeatable: any named value of the graph, intermediate ones included.",
            discussion: "Default: the graph outputs.", valueName: "NAME"))
    var fetches: [String] = []

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Write the fetched values to this .npz (or .npy for one value).",
            discussion: "Without it, each fetched value's type and shape is printed.", valueName: "FILE"))
    var output: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp(
            "CSV label column to leave out of the features: a 0-based index (negative from the end) or a header name.",
            discussion: "Default: none, every column is a feature.", valueName: "INDEX|NAME"))
    var labelColumn: CSV.LabelColumn?

    @Flag(help: "Print one JSON object per sample with each head's decoded labels and scores.")
    var decode = false

    @Option(help: "Threads for BLAS and kernels.")
    var threads: Int = 1

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
        for input in inputs where !input.contains("=") {
            throw ValidationError("--input '\(input)' must be NAME=FILE")
        }
    }

    func run() throws {
        let (proto, url) = try loadModel(model)
        let compiled = try compileForRunning(proto, file: url)
        let session: InferenceSession
        do {
            session = try InferenceSession(compiled, threads: threads)
        } catch {
            Output.failure(error.code, error.description)
            throw InvalidInput()
        }
        let feeds = try readFeeds(for: session)
        do {
            // One run fetches both what is written and what is decoded.
            let requested = fetches.isEmpty ? session.outputNames : fetches
            let writes = !decode || output != nil
            let heads = decode ? session.model.head.map(\.output) : []
            var names = writes ? requested : []
            for head in heads where !names.contains(head) { names.append(head) }
            let fetched = try session.run(feeds, outputs: names)
            if decode {
                let predictions = try session.decode(fetched)
                let count = predictions.values.map(\.count).max() ?? 0
                for sample in 0..<count {
                    var line: [String: Prediction] = [:]
                    for (head, list) in predictions where sample < list.count { line[head] = list[sample] }
                    Output.jsonLine(line)
                }
            }
            if writes { try write(fetched.filter { requested.contains($0.key) }) }
        } catch let error as RuntimeError {
            Output.failure(error.code, error.description)
            throw InvalidInput()
        }
    }

    /// Feeds by input name. A file holding several arrays provides the one named like the
    /// input (or its only array); integer data feeding a FLOAT input is converted.
    private func readFeeds(for session: InferenceSession) throws -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        let expected = Dictionary(session.inputs.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
        for input in inputs {
            let parts = input.split(separator: "=", maxSplits: 1).map(String.init)
            let (name, file) = (parts[0], parts[1])
            guard let type = expected[name] else {
                Output.failure("runtime.input", "input '\(name)' is not an input of the graph; inputs are "
                    + expected.keys.sorted().joined(separator: ", "))
                throw InvalidInput()
            }
            let arrays: [String: Tensor]
            do {
                arrays = try Dataset(
                    contentsOf: URL(fileURLWithPath: file), labelColumn: labelColumn ?? .none, featureName: name,
                    labelName: name == "label" ? "labels" : "label"
                ).arrays
            } catch {
                Output.failure(error.code, error.description)
                throw InvalidInput()
            }
            guard var tensor = arrays[name] ?? (arrays.count == 1 ? arrays.values.first : nil) else {
                Output.failure("runtime.input", "\(file) holds \(arrays.keys.sorted().joined(separator: ", ")), "
                    + "none named '\(name)'")
                throw InvalidInput()
            }
            if type.dataType == .float, tensor.elementType != .float32 {
                tensor = Tensor(shape: tensor.shape, scalars: tensor.scalars)
            }
            feeds[name] = tensor
        }
        return feeds
    }

    private func write(_ fetched: [String: Tensor]) throws {
        guard let outputFile = output else {
            for (name, tensor) in fetched.sorted(by: { $0.key < $1.key }) {
                print("\(name): \(tensor.elementType) \(tensor.shape)")
            }
            return
        }
        let url = URL(fileURLWithPath: outputFile)
        do {
            if url.pathExtension == "npy" {
                guard fetched.count == 1, let tensor = fetched.values.first else {
                    throw ValidationError("-o \(outputFile): a .npy holds one array; use .npz for \(fetched.count)")
                }
                try NPY.write(tensor, to: url)
            } else {
                try NPZ.write(fetched, to: url)
            }
        } catch let error as DataError {
            Output.failure(error.code, error.description)
            throw InvalidInput()
        }
    }
}
