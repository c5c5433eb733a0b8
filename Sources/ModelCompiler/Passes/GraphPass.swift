/// A graph-to-graph transformation. `run` returns whether it changed the graph.
public protocol GraphPass: Sendable {
    /// Kebab-case name shown by `--print-passes`, e.g. "fuse-matmul-add".
    var name: String { get }
    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool
}

/// What a pass may consult and report into.
public final class PassContext: @unchecked Sendable {
    public let target: CompileTarget
    /// Findings passes report (e.g. unused initializers), in order.
    public var diagnostics: [Diagnostic] = []
    /// Initializers the training section freezes or needs by name; passes must keep them.
    public let protectedValues: Set<String>

    public init(target: CompileTarget, protectedValues: Set<String> = []) {
        self.target = target
        self.protectedValues = protectedValues
    }
}

/// One line of `--print-passes`: what a pass did.
public struct PassReportEntry: Sendable, Codable, Equatable {
    public var pass: String
    public var changed: Bool
    public var nodesBefore: Int
    public var nodesAfter: Int
}
