import ArgumentParser
import CLISupport
import Foundation

/// `modelc convert IN -o OUT`: between .pbtxt, .model and .onnx, chosen by extension.
struct Convert: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Convert a model between .pbtxt, .model and .onnx (formats chosen by extension).")

    @Argument(help: "The model: .pbtxt, .model or .onnx.")
    var input: String

    @Option(name: .shortAndLong, help: "Output file; its extension chooses the format.")
    var output: String

    func run() throws {
        let (model, url) = try loadModel(input)
        try writeModel(model, to: URL(fileURLWithPath: output), sourceFile: url)
    }
}
