import ArgumentParser
import CLISupport
import ModelCompiler

/// `modelc check IN [--json]`: diagnostics only; exit 0 when there are no errors.
struct Check: ParsableCommand, JSONReportingCommand {
    static var documentIsDiagnosticsList: Bool { true }

    static let configuration = CommandConfiguration(
        abstract: "Report every problem in a model (structure, shapes, heads); exit 0 when there are no errors.")

    @Argument(help: "The model: .pbtxt, .model or .onnx.")
    var input: String

    @Flag(help: "Print the diagnostics as a JSON list on stdout.")
    var json = false

    func run() throws {
        let diagnostics: [Diagnostic]
        do {
            let (model, url) = try loadModel(input)
            diagnostics = ModelCheck.run(model, file: url)
        } catch is InvalidInput where json {
            throw InvalidInput()
        }
        if json {
            Output.json(diagnostics)
        } else {
            Output.diagnostics(diagnostics)
            let errors = diagnostics.filter { $0.severity == .error }.count
            Output.error("\(input): \(errors) error(s), \(diagnostics.count - errors) warning(s)")
        }
        if diagnostics.hasErrors { throw InvalidInput() }
    }
}
