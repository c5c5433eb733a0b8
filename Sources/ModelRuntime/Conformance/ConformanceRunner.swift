import Foundation
import ModelCompiler
import ModelFormat

/// Runs one ONNX backend test case: imports `model.onnx`, opens an `InferenceSession`, feeds
/// every `test_data_set_*` and compares each output with `ConformanceComparison`.
///
/// Every error becomes an outcome, never a throw: a model, op, attribute or element type we
/// refuse (import, compile or bind errors) is *not supported*; a wrong output, a run-time
/// error or a broken case folder is *failed*. Traps inside kernels are outside its reach;
/// `modelrun conformance` runs each case in a child process for that.
public enum ConformanceRunner {
    /// Inputs that decide output shapes (shape, axes, split), by op and input position. The
    /// runtime plans every shape before running, so these must be constants; node tests feed
    /// them as graph inputs. With `freezeShapeInputs` the runner gives them as initializers
    /// holding the data set's values (and notes it in the outcome).
    public static let shapeInputs: [OpType: Set<Int>] = [
        .reshape: [1], .squeeze: [1], .unsqueeze: [1], .split: [1], .reduceSum: [1], .reduceMean: [1], .reduceMax: [1],
        .expand: [1], .constantOfShape: [0], .slice: [1, 2, 3, 4], .range: [0, 1, 2],
    ]

    /// The outcome of `testCase`, run with `threads` BLAS and kernel threads.
    public static func run(_ testCase: ConformanceCase, threads: Int = 1, freezeShapeInputs: Bool = true)
        -> ConformanceOutcome
    {
        let modelURL = testCase.directory.appendingPathComponent("model.onnx")
        let model: ProtoModel
        do {
            model = try ProtoModel(contentsOf: modelURL, format: .onnx)
        } catch {
            if case .unsupportedONNX(_, let problems) = error {
                return .notSupported("import: " + problems.joined(separator: "; "))
            }
            return .failed("cannot read model.onnx: \(error.description)")
        }
        let missing = model.graph.node.filter { OpType(rawValue: $0.opType) == nil }.map(\.opType)
        if !missing.isEmpty {
            return .notSupported("op \(Set(missing).sorted().joined(separator: ", ")) is not implemented")
        }
        let dataSets: [URL]
        do {
            dataSets = try files(in: testCase.directory, prefix: "test_data_set_", suffix: "")
        } catch {
            return .failed(error.description)
        }
        guard !dataSets.isEmpty else { return .failed("no test_data_set_* folder") }
        let frozen = freezeShapeInputs ? shapeInputNames(model) : []
        var outcome = run(testCase, model: model, dataSets: dataSets, frozen: frozen, threads: threads)
        outcome.frozenInputs = frozen.isEmpty ? nil : frozen.sorted()
        return outcome
    }

    /// The outcome of every data set, the first that does not pass, or passed.
    private static func run(
        _ testCase: ConformanceCase, model: ProtoModel, dataSets: [URL], frozen: Set<String>, threads: Int
    ) -> ConformanceOutcome {
        var session: InferenceSession?
        var sessionInitializers: [ProtoTensor] = []
        var maxAbsDiff: Double?
        for dataSet in dataSets {
            // Shape inputs become initializers holding this data set's values; the session is
            // rebuilt only when those values change.
            let initializers: [ProtoTensor]
            switch frozenInitializers(frozen, model: model, dataSet: dataSet) {
            case .success(let tensors): initializers = tensors
            case .failure(let error): return error.outcome
            }
            if session == nil || initializers != sessionInitializers {
                var variant = model
                variant.graph.input.removeAll { frozen.contains($0.name) }
                variant.graph.initializer += initializers
                do {
                    session = try InferenceSession(model: variant, file: nil, threads: threads)
                } catch {
                    return compileOutcome(error)
                }
                sessionInitializers = initializers
            }
            guard let session else { return .failed("no session") }
            switch runDataSet(dataSet, model: model, session: session, frozen: frozen, testCase: testCase) {
            case .success(let difference): maxAbsDiff = max(maxAbsDiff ?? 0, difference)
            case .failure(let error): return error.outcome
            }
        }
        return .passed(maxAbsDiff: maxAbsDiff)
    }

    /// Graph inputs that feed a shape input of some node (see `shapeInputs`).
    static func shapeInputNames(_ model: ProtoModel) -> Set<String> {
        let graphInputs = Set(model.graph.input.map(\.name))
        var names: Set<String> = []
        for node in model.graph.node {
            guard let op = OpType(rawValue: node.opType), let positions = shapeInputs[op] else { continue }
            for position in positions where position < node.input.count && graphInputs.contains(node.input[position]) {
                names.insert(node.input[position])
            }
        }
        return names
    }

    /// The frozen inputs of `dataSet` as INT64 initializers.
    private static func frozenInitializers(
        _ frozen: Set<String>, model: ProtoModel, dataSet: URL
    ) -> Result<[ProtoTensor], OutcomeError> {
        guard !frozen.isEmpty else { return .success([]) }
        let inputFiles: [URL]
        do {
            inputFiles = try files(in: dataSet, prefix: "input_", suffix: ".pb")
        } catch {
            return .failure(.failed(error.description))
        }
        let inputNames = model.graph.input.map(\.name)
        var initializers: [ProtoTensor] = []
        // input_<j> is graph input j; only the frozen ones are read here.
        for (position, file) in inputFiles.enumerated()
        where position < inputNames.count && frozen.contains(inputNames[position]) {
            switch readTensor(file, label: dataSet.lastPathComponent) {
            case .success(let (fileName, tensor)):
                let name = inputNames.contains(fileName) ? fileName : inputNames[position]
                guard frozen.contains(name) else { continue }
                // Shape rules read integer constants only (a float Range's length stays unknown).
                guard tensor.elementType == .int64 || tensor.elementType == .int32 else {
                    return .failure(
                        .notSupported(
                            "input '\(name)' sets a shape but is \(tensor.elementType); shape rules read int64 and int32 constants only"))
                }
                var proto = ProtoTensor()
                proto.name = name
                proto.dataType = tensor.elementType.protoType
                proto.dims = tensor.shape.map { Int64($0) }
                proto.rawData = tensor.withUnsafeBytes { Data($0) }
                initializers.append(proto)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(initializers.sorted { $0.name < $1.name })
    }

    /// The outcome of a session that cannot be opened: our shape inference disagreeing with
    /// the model's declared shapes is a failure; any other refusal means not supported.
    private static func compileOutcome(_ error: RuntimeError) -> ConformanceOutcome {
        if case .compile(let diagnostics) = error,
            diagnostics.contains(where: { $0.severity == .error && $0.code == "shape.declared-mismatch" })
        {
            return .failed("shape inference disagrees with ONNX: " + reason(error))
        }
        return .notSupported(reason(error))
    }

    /// The largest difference of one data set's outputs, or the outcome that stops the case.
    private static func runDataSet(
        _ dataSet: URL, model: ProtoModel, session: InferenceSession, frozen: Set<String>, testCase: ConformanceCase
    ) -> Result<Double, OutcomeError> {
        let label = dataSet.lastPathComponent
        let inputNames = model.graph.input.map(\.name)
        let outputNames = model.graph.output.map(\.name)
        let inputFiles: [URL]
        let outputFiles: [URL]
        do {
            inputFiles = try files(in: dataSet, prefix: "input_", suffix: ".pb")
            outputFiles = try files(in: dataSet, prefix: "output_", suffix: ".pb")
        } catch {
            return .failure(.failed(error.description))
        }
        guard inputFiles.count == inputNames.count else {
            return .failure(
                .failed("\(label): \(inputFiles.count) input file(s) for \(inputNames.count) graph input(s)"))
        }
        guard outputFiles.count == outputNames.count else {
            return .failure(
                .failed("\(label): \(outputFiles.count) output file(s) for \(outputNames.count) graph output(s)"))
        }

        var feeds: [String: Tensor] = [:]
        for (position, file) in inputFiles.enumerated() {
            switch readTensor(file, label: label) {
            case .success(let (fileName, tensor)):
                // input_<j> feeds graph input j; its own name settles it when it names an input.
                let name = inputNames.contains(fileName) ? fileName : inputNames[position]
                if !frozen.contains(name) { feeds[name] = tensor }
            case .failure(let outcome): return .failure(outcome)
            }
        }
        guard feeds.count + frozen.count == inputNames.count else {
            return .failure(.failed("\(label): the input files do not name each graph input once"))
        }

        let results: [String: Tensor]
        do {
            results = try session.run(feeds, outputs: outputNames)
        } catch {
            switch error {
            case .compile, .bind: return .failure(OutcomeError(outcome: compileOutcome(error)))
            default: return .failure(.failed("run: \(reason(error))"))
            }
        }

        var maxAbsDiff = 0.0
        for (position, file) in outputFiles.enumerated() {
            let expected: Tensor
            switch readTensor(file, label: label) {
            case .success(let (_, tensor)): expected = tensor
            case .failure(let outcome): return .failure(outcome)
            }
            let name = outputNames[position]
            guard let got = results[name] else {
                return .failure(.failed("output '\(name)' was not returned"))
            }
            do {
                let comparison = try ConformanceComparison.compare(
                    expected: expected, got: got, rtol: testCase.rtol, atol: testCase.atol)
                maxAbsDiff = max(maxAbsDiff, comparison.maxAbsDiff)
                if let first = comparison.firstMismatch {
                    return .failure(
                        .failed(
                            "output '\(name)': \(comparison.mismatches) of \(expected.count) element(s) outside "
                                + "rtol \(testCase.rtol), atol \(testCase.atol); first at [\(first.index)]: "
                                + "expected \(first.expected), got \(first.got)"
                                + (comparison.maxAbsDiff > 0 ? "; max |diff| \(comparison.maxAbsDiff)" : ""),
                            maxAbsDiff: comparison.maxAbsDiff))
                }
            } catch {
                return .failure(.failed("output '\(name)': \(error.description)"))
            }
        }
        return .success(maxAbsDiff)
    }

    /// An outcome carried through `Result`'s failure side.
    private struct OutcomeError: Error {
        var outcome: ConformanceOutcome
        static func failed(_ reason: String, maxAbsDiff: Double? = nil) -> OutcomeError {
            OutcomeError(outcome: .failed(reason, maxAbsDiff: maxAbsDiff))
        }
        static func notSupported(_ reason: String) -> OutcomeError { OutcomeError(outcome: .notSupported(reason)) }
    }

    private static func readTensor(_ file: URL, label: String) -> Result<(String, Tensor), OutcomeError> {
        do {
            return .success(try TensorProtoReader.read(file))
        } catch {
            let place = "\(label)/\(file.lastPathComponent)"
            if case .unsupportedType(_, let tensor, let type) = error {
                return .failure(
                    .notSupported("\(place): tensor '\(tensor)' is \(type), which the runtime does not store"))
            }
            return .failure(.failed("\(place): \(error.description)"))
        }
    }

    /// The error's text without the (long) file paths of its diagnostics.
    static func reason(_ error: RuntimeError) -> String {
        if case .compile(let diagnostics) = error {
            let errors = diagnostics.filter { $0.severity == .error }
            return (errors.isEmpty ? diagnostics : errors).map { diagnostic in
                var copy = diagnostic
                copy.location.file = nil
                return copy.rendered
            }.joined(separator: "; ")
        }
        return "error[\(error.code)]: \(error.description)"
    }

    /// Entries of `directory` named `prefix<number><suffix>`, in numeric order.
    static func files(in directory: URL, prefix: String, suffix: String) throws(ConformanceSuiteError) -> [URL] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ConformanceSuiteError(description: "\(directory.path): cannot list the folder")
        }
        let numbered: [(Int, String)] = names.compactMap { name in
            guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
            let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
            return Int(digits).map { ($0, name) }
        }
        return numbered.sorted { $0.0 < $1.0 }.map { directory.appendingPathComponent($0.1) }
    }
}
