import ArgumentParser
import Foundation
import ModelCompiler
import ModelFormat

/// Exit codes shared by `modelc` and `modelrun` (DESIGN §4).
public enum ToolExit {
    /// Success.
    public static let success: Int32 = 0
    /// The model or data is invalid; diagnostics went to stderr.
    public static let invalidInput: Int32 = 1
    /// The command line is wrong.
    public static let usage: Int32 = 2
}

/// Runs a root command with DESIGN §4's exit codes: argument errors exit 2 (argument-parser
/// would use 64), invalid input exits 1, and nothing escapes as a trap.
public func runCommandLineTool<Root: ParsableCommand>(_ root: Root.Type) -> Never {
    var command: any ParsableCommand
    do {
        command = try root.parseAsRoot()
    } catch {
        if root.exitCode(for: error) == .success {  // --help, --version
            print(root.fullMessage(for: error))
            exit(ToolExit.success)
        }
        Output.error(root.fullMessage(for: error))
        // No command to ask: `--json` and the subcommand's name decide the document's shape.
        let arguments = CommandLine.arguments.dropFirst()
        Output.printFailureDocument(
            json: arguments.contains("--json"), diagnosticsList: ["check", "compile"].contains(arguments.first ?? ""),
            usage: root.message(for: error))
        exit(ToolExit.usage)
    }
    let reporting = command as? any JSONReportingCommand
    func printFailureDocument(usage: String? = nil) {
        guard let reporting else { return }
        Output.printFailureDocument(
            json: reporting.json, diagnosticsList: type(of: reporting).documentIsDiagnosticsList, usage: usage)
    }
    let interruptHandlers = removeTemporariesOnInterrupt()
    defer { withExtendedLifetime(interruptHandlers) {} }
    do {
        try command.run()
        exit(ToolExit.success)
    } catch is InvalidInput {
        printFailureDocument()
        exit(ToolExit.invalidInput)  // diagnostics are already on stderr
    } catch let error as ValidationError {
        Output.error("error: \(error.message)")
        printFailureDocument(usage: error.message)
        exit(ToolExit.usage)
    } catch {
        // A root command without its own `run` asks for help (argument-parser's CleanExit).
        if root.exitCode(for: error) == .success {
            print(root.fullMessage(for: error))
            exit(ToolExit.success)
        }
        Output.failure("error", "\(error)")
        printFailureDocument()
        exit(ToolExit.invalidInput)
    }
}

/// Thrown after the diagnostics have been printed: the input is invalid (exit 1).
public struct InvalidInput: Error {
    public init() {}
}

/// Printing helpers for diagnostics and JSON.
public enum Output {
    /// Writes one line to stderr.
    public static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    /// Prints `value` as pretty JSON on stdout.
    public static func json<T: Encodable>(_ value: T) {
        printJSON(value, formatting: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        DiagnosticLog.shared.markDocumentPrinted()
    }

    private static func printJSON<T: Encodable>(_ value: T, formatting: JSONEncoder.OutputFormatting) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = formatting
        if let data = try? encoder.encode(value), let text = String(data: data, encoding: .utf8) {
            print(text)
        }
    }

    /// Each diagnostic on its own stderr line.
    public static func diagnostics(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { error(diagnostic.rendered) }
        DiagnosticLog.shared.record(diagnostics)
    }
}

/// Reads a model in any of the three formats; on failure prints the error and throws `InvalidInput`.
public func loadModel(_ path: String) throws -> (model: ProtoModel, url: URL) {
    let url = URL(fileURLWithPath: path)
    do {
        return (try ProtoModel(contentsOf: url), url)
    } catch {
        Output.failure(error.code, error.description, file: path)
        throw InvalidInput()
    }
}

/// Writes `model` in the format named by the extension of `url` (.onnx, .pbtxt, else binary);
/// on failure prints the error and throws `InvalidInput`.
public func writeModel(_ model: ProtoModel, to url: URL, sourceFile: URL?) throws {
    if ModelFileFormat(pathExtension: url.pathExtension) == .onnx {
        do {
            try ONNXExport.write(model, to: url, sourceFile: sourceFile)
        } catch {
            Output.diagnostics(error.diagnostics)
            throw InvalidInput()
        }
        return
    }
    do {
        try model.write(to: url)
    } catch {
        Output.failure(error.code, error.description)
        throw InvalidInput()
    }
}

extension Output {
    /// Prints `value` as one line of compact JSON (JSON lines) on stdout.
    public static func jsonLine<T: Encodable>(_ value: T) {
        printJSON(value, formatting: [.sortedKeys, .withoutEscapingSlashes])
    }
}

/// On SIGINT, SIGTERM or SIGHUP: removes the temporary files of atomic writes in progress, then
/// ends with the shell's status for the signal (128 + number). The handlers run on a dispatch
/// queue, not in signal context, so they may take locks and touch the file system. (SIGKILL
/// cannot be caught; the next write of the same file removes what it leaves.)
private func removeTemporariesOnInterrupt() -> [any DispatchSourceSignal] {
    [SIGINT, SIGTERM, SIGHUP].map { number in
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler {
            AtomicFile.removeInFlightTemporaries()
            _exit(128 + number)
        }
        source.resume()
        return source
    }
}
