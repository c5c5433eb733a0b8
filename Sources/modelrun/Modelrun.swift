import ArgumentParser
import CLISupport
import ModelRuntime

/// `modelrun`: runs models for inference and training.
///
/// The subcommands (infer, train, eval, bench) arrive with the runtime and training work;
/// until then the tool only answers --help and --version.
struct Modelrun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modelrun",
        abstract: "Run models for inference and training (subcommands arrive with the runtime).",
        version: "0.1.0"
    )
}

@main
enum Main {
    static func main() { runCommandLineTool(Modelrun.self) }
}
