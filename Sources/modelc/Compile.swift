import ArgumentParser
import CLISupport
import Foundation
import ModelCompiler
import ModelFormat

/// `modelc compile IN [-o OUT] [-O0|-O1|-O2] [--for inference|training] [--compress] [--json]`.
struct Compile: ParsableCommand, JSONReportingCommand {
    static var documentIsDiagnosticsList: Bool { true }

    static let configuration = CommandConfiguration(
        abstract: "Check a model, materialise its fillers and write the compiled binary form.")

    @Argument(help: "The model: .pbtxt, .model or .onnx.")
    var input: String

    @Option(name: .shortAndLong, help: "Output file (default: IN with extension .model). A .pbtxt name writes text.")
    var output: String?

    @Option(name: .customShort("O", allowingJoined: true), help: "Optimisation level: -O0, -O1 or -O2.")
    var optimization: Int = 2

    @Option(name: .customLong("for"), help: "What the compiled model is for: inference or training.")
    var target: CompileTarget = .inference

    @Flag(help: "Store float tensors with SHUFFLE_DEFLATE (byte-plane shuffle, then zlib).")
    var compress = false

    @Flag(help: "Print the diagnostics as a JSON list on stdout.")
    var json = false

    @Flag(help: "Print which optimisation pass changed what (node counts before and after) on stderr.")
    var printPasses = false

    func run() throws {
        guard let level = OptimizationLevel(rawValue: "O\(optimization)") else {
            throw ValidationError("-O\(optimization) is not a level; use -O0, -O1 or -O2")
        }
        let (model, url) = try loadModel(input)
        if target == .training {
            try compileForTraining(model, url: url, level: level)
            return
        }
        let compiler = Compiler(options: .init(optimization: level, target: target, compress: compress))
        let compiled: CompiledModel
        do {
            compiled = try compiler.compile(model, file: url)
        } catch {
            if json { Output.json(error.diagnostics) } else { Output.diagnostics(error.diagnostics) }
            throw InvalidInput()
        }
        if json { Output.json(compiled.diagnostics) } else { Output.diagnostics(compiled.diagnostics) }
        if printPasses {
            for entry in compiled.passReport {
                let change = entry.changed ? "changed" : "no change"
                Output.error("pass \(entry.pass): \(change), nodes \(entry.nodesBefore) -> \(entry.nodesAfter)")
            }
        }
        let destination =
            output.map { URL(fileURLWithPath: $0) } ?? url.deletingPathExtension().appendingPathExtension("model")
        try writeModel(compiled.model, to: destination, sourceFile: url)
    }
}

extension Compile {
    /// `--for training`: the training graph (forward, lowered head losses, gradients and
    /// optimiser updates, as `modelrun train` executes it), for inspection or another runtime.
    private func compileForTraining(_ model: ProtoModel, url: URL, level: OptimizationLevel) throws {
        let program: TrainingProgram
        do {
            program = try TrainingCompiler(optimization: level).compile(model, file: url)
        } catch {
            if json { Output.json(error.diagnostics) } else { Output.diagnostics(error.diagnostics) }
            throw InvalidInput()
        }
        if json { Output.json([Diagnostic]()) }
        var compiled = program.sourceModel
        compiled.graph = program.graph.proto
        compiled.producerName = "modelc"
        compiled.producerVersion = ToolVersion.current
        let destination =
            output.map { URL(fileURLWithPath: $0) } ?? url.deletingPathExtension().appendingPathExtension("model")
        try writeModel(compiled, to: destination, sourceFile: url)
        Output.error(
            "training graph: \(program.graph.nodes.count) nodes, \(program.parameters.count) trained weights "
                + "(\(program.parameters.map(\.name).joined(separator: ", ")))")
    }
}

extension CompileTarget: ExpressibleByArgument {}
