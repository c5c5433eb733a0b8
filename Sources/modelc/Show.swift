import ArgumentParser
import CLISupport
import ModelCompiler

/// `modelc show IN [--json]`: nodes, shapes, parameter counts and heads.
struct Show: ParsableCommand, JSONReportingCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show a model's nodes, output shapes, parameter counts and heads.")

    @Argument(help: "The model: .pbtxt, .model or .onnx.")
    var input: String

    @Flag(help: "Print the summary as JSON on stdout.")
    var json = false

    func run() throws {
        let (model, _) = try loadModel(input)
        let summary = ModelSummary(model)
        if json { Output.json(summary) } else { print(summary.text) }
    }
}
