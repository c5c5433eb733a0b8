import ArgumentParser
import CLISupport
import ModelRuntime

/// `modelrun`: runs models for inference and training.
///
/// `bench` times inference; `infer` arrives with the data readers, `train` and `eval` with
/// the training work.
struct Modelrun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modelrun",
        abstract: "Run models for inference and training.",
        version: "0.1.0",
        subcommands: [Train.self, Eval.self, Infer.self, Bench.self, Conformance.self]
    )
}

@main
enum Main {
    static func main() { runCommandLineTool(Modelrun.self) }
}
