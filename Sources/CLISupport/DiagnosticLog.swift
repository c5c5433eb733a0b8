import Foundation
import ModelCompiler

/// Every finding a command reported (errors and warnings, structured), and whether it printed
/// its JSON document, so that `--json` prints exactly one document on stdout, on failure too.
public final class DiagnosticLog: @unchecked Sendable {
    public static let shared = DiagnosticLog()

    private let lock = NSLock()
    private var recorded: [Diagnostic] = []
    private var documentPrinted = false

    /// The findings so far, in the order reported.
    public var diagnostics: [Diagnostic] { lock.withLock { recorded } }
    /// Whether a JSON document went to stdout.
    public var printedDocument: Bool { lock.withLock { documentPrinted } }

    func record(_ diagnostics: [Diagnostic]) { lock.withLock { recorded += diagnostics } }
    func markDocumentPrinted() { lock.withLock { documentPrinted = true } }
}

/// A command with `--json`: when it fails before printing its document, the tool prints the
/// failure document instead — the diagnostics list for `check` and `compile` (the shape of
/// their success document), `{"error": …, "diagnostics": […]}` for the others.
public protocol JSONReportingCommand {
    var json: Bool { get }
    /// True when the command's document is a list of diagnostics.
    static var documentIsDiagnosticsList: Bool { get }
}

extension JSONReportingCommand {
    public static var documentIsDiagnosticsList: Bool { false }
}

/// The document of a failed command (other than `check` and `compile`).
public struct FailureDocument: Encodable {
    public struct Failure: Encodable {
        public var code: String
        public var message: String
    }
    public var error: Failure
    public var diagnostics: [Diagnostic]

    /// The first error among `diagnostics` as the failure, or `fallback` when there is none.
    public init(_ diagnostics: [Diagnostic], fallback: Failure) {
        let first = diagnostics.first { $0.severity == .error }
        error = first.map { Failure(code: $0.code, message: $0.message) } ?? fallback
        self.diagnostics = diagnostics
    }
}

extension Output {
    /// Reports an error of `code` on stderr (`error[code]: message`) and records it, with the
    /// file it concerns when known.
    public static func failure(_ code: String, _ message: String, file: String? = nil) {
        error("error[\(code)]: \(message)")
        DiagnosticLog.shared.record([Diagnostic(.error, code, .init(file: file), message)])
    }

    /// Prints the failure document of `command` on stdout when it has `--json` set and printed
    /// none; `usage` is the message of a usage error, if that is why it failed.
    static func printFailureDocument(
        json: Bool, diagnosticsList: Bool, usage: String? = nil, fallbackMessage: String = "the command failed"
    ) {
        guard json, !DiagnosticLog.shared.printedDocument else { return }
        var diagnostics = DiagnosticLog.shared.diagnostics
        if let usage { diagnostics.append(Diagnostic(.error, "usage", .init(), usage)) }
        if diagnosticsList {
            Output.json(diagnostics)
        } else {
            Output.json(
                FailureDocument(diagnostics, fallback: .init(code: "error", message: usage ?? fallbackMessage)))
        }
    }
}
