import ModelFormat

/// Why compilation (or an ONNX export) failed: the file could not be read, or the model has
/// errors. Carries every diagnostic found, errors and warnings alike.
public enum CompileError: Error, Sendable, CustomStringConvertible {
    /// Reading or writing the file failed.
    case format(FormatError)
    /// The model is invalid; all findings are listed.
    case invalidModel([Diagnostic])

    public var description: String {
        switch self {
        case .format(let error): error.description
        case .invalidModel(let diagnostics): diagnostics.map(\.rendered).joined(separator: "\n")
        }
    }

    /// The findings as diagnostics (a format error becomes one).
    public var diagnostics: [Diagnostic] {
        switch self {
        case .format(let error):
            [Diagnostic(.error, error.code, .init(file: error.file), error.description)]
        case .invalidModel(let diagnostics): diagnostics
        }
    }
}
