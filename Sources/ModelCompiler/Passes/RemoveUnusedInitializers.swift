/// Drops initializers that nothing reads, with a warning naming each (they usually mean a
/// wiring mistake: a weight that was meant to be used).
struct RemoveUnusedInitializers: GraphPass {
    let name = "remove-unused-initializers"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        let uses = graph.useCounts()
        var changed = false
        for id in graph.initializers.keys.sorted() where uses[id.index] == 0 {
            let name = graph[id].name
            guard !context.protectedValues.contains(name) else { continue }
            if !name.hasPrefix("folded.") {
                context.diagnostics.append(Diagnostic(
                    .warning, "pass.unused-initializer", .init(field: "graph.initializer['\(name)']"),
                    "initializer '\(name)' is not read by any node; it was removed",
                    fix: "remove it from the model, or connect it where it was meant to be used"))
            }
            graph.initializers[id] = nil
            changed = true
        }
        return changed
    }
}
