import ArgumentParser
import CLISupport

/// `modelc`: check, inspect, compile and convert models.
struct Modelc: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modelc",
        abstract: "Check, inspect, compile and convert neural-network models (.pbtxt, .model, .onnx).",
        version: "0.1.0",
        subcommands: [Check.self, Show.self, Compile.self, Convert.self]
    )
}

@main
enum Main {
    static func main() { runCommandLineTool(Modelc.self) }
}
