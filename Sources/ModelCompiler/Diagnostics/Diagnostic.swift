/// One finding about a model: what is wrong, where, and how to fix it.
///
/// Diagnostics are data; `rendered` turns one into a line of text, and `--json` emits the
/// same struct. `code` is stable (`graph.undefined-value`, `head.double-softmax`, ...).
public struct Diagnostic: Error, Codable, Sendable, Equatable {
    /// Errors stop compilation; warnings do not.
    public enum Severity: String, Codable, Sendable {
        case error, warning
    }

    /// Where in the model a finding applies; every part is optional.
    public struct Location: Codable, Sendable, Equatable {
        public var file: String?
        public var node: String?
        public var op: String?
        public var head: String?
        public var field: String?

        public init(file: String? = nil, node: String? = nil, op: String? = nil, head: String? = nil, field: String? = nil) {
            self.file = file
            self.node = node
            self.op = op
            self.head = head
            self.field = field
        }
    }

    public var severity: Severity
    public var code: String
    public var location: Location
    /// One sentence: what is wrong and why it matters.
    public var message: String
    /// One sentence: how to fix it.
    public var fix: String?

    public init(_ severity: Severity, _ code: String, _ location: Location, _ message: String, fix: String? = nil) {
        self.severity = severity
        self.code = code
        self.location = location
        self.message = message
        self.fix = fix
    }

    /// `file: error[code]: Op 'node', field f: message; fix: ...`.
    public var rendered: String {
        var parts: [String] = []
        if let file = location.file { parts.append("\(file):") }
        parts.append("\(severity.rawValue)[\(code)]:")
        var place: [String] = []
        if let node = location.node { place.append(location.op.map { "\($0) '\(node)'" } ?? "node '\(node)'") }
        else if let op = location.op { place.append(op) }
        if let head = location.head { place.append("head '\(head)'") }
        if let field = location.field { place.append("field \(field)") }
        if !place.isEmpty { parts.append(place.joined(separator: ", ") + ":") }
        parts.append(message)
        if let fix { parts[parts.count - 1] += "; fix: \(fix)" }
        return parts.joined(separator: " ")
    }
}

extension Array where Element == Diagnostic {
    /// Whether any diagnostic is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
