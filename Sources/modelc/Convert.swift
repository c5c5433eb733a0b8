import ArgumentParser
import CLISupport
import Foundation
import ModelCompiler

/// `modelc convert IN -o OUT`: between .pbtxt, .model and .onnx, chosen by extension.
///
/// The model is checked structurally first, so an ONNX file with unsupported ops fails with
/// one diagnostic listing all of them rather than producing a file that cannot run.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model between .pbtxt, .model and .onnx (formats chosen by extension).")

    @Argument(help: "The model: .pbtxt, .model or .onnx.")
    var input: String

    @Option(name: .shortAndLong, help: "Output file; its extension chooses the format.")
    var output: String

    func run() throws {
        let (model, url) = try loadModel(input)
        let diagnostics = Verifier(file: url).verify(model)
        Output.diagnostics(diagnostics)
        if diagnostics.hasErrors { throw InvalidInput() }
        try writeModel(model, to: URL(fileURLWithPath: output), sourceFile: url)
    }
}
