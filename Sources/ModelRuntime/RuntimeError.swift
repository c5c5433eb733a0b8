import ModelCompiler

/// An error preparing or running a model: the model did not compile, a feed is wrong, or a
/// node cannot be bound for the shapes given. Every case names what it concerns.
public enum RuntimeError: Error, Sendable, CustomStringConvertible, Equatable {
    /// The model failed to compile for execution; the diagnostics say why.
    case compile([Diagnostic])
    /// A feed is missing, unknown, or of the wrong type or shape.
    case input(name: String, reason: String)
    /// A requested output is not a value of the graph.
    case unknownOutput(name: String)
    /// A node cannot run with these shapes or attributes.
    case bind(node: String, op: String, reason: String)
    /// A head's output cannot be decoded (wrong width, bad decoder settings).
    case decode(head: String, reason: String)
    /// A collective of a data-parallel run failed or timed out (another rank died or hung).
    case communication(rank: Int, reason: String)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .compile: "runtime.compile"
        case .input: "runtime.input"
        case .unknownOutput: "runtime.unknown-output"
        case .bind: "runtime.bind"
        case .decode: "runtime.decode"
        case .communication: "runtime.communication"
        }
    }

    public var description: String {
        switch self {
        case .compile(let diagnostics): diagnostics.map(\.rendered).joined(separator: "\n")
        case .input(let name, let reason): "input '\(name)': \(reason)"
        case .unknownOutput(let name): "output '\(name)' is not a value of the graph"
        case .bind(let node, let op, let reason): "\(op) '\(node)': \(reason)"
        case .decode(let head, let reason): "head '\(head)': \(reason)"
        case .communication(let rank, let reason): "rank \(rank): \(reason)"
        }
    }
}
