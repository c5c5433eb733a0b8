import ModelCompiler

/// Every value's concrete shape and element type for one set of feed shapes: the graph's
/// symbolic intermediates are forgotten and re-inferred from the feeds.
struct ResolvedShapes {
    /// The graph with every value's type re-inferred.
    let graph: Graph
    /// Per value index; empty for a value whose shape is not fully known.
    let shapes: [[Int]]
    let types: [ElementType]

    init(_ graph: Graph, feedShapes: [String: [Int]]) throws(RuntimeError) {
        var resolved = graph
        for index in resolved.values.indices {
            if case .node = resolved.values[index].origin {
                resolved.values[index].type = TensorType(resolved.values[index].type.dataType, nil)
            }
        }
        for input in graph.inputs {
            guard let shape = feedShapes[resolved[input].name] else { continue }
            resolved[input].type = TensorType(resolved[input].type.dataType, shape.map { .fixed($0) })
        }
        let diagnostics = ShapeInference.run(&resolved)
        if diagnostics.hasErrors { throw .compile(diagnostics) }
        var shapes = [[Int]](repeating: [], count: resolved.values.count)
        var types = [ElementType](repeating: .float32, count: resolved.values.count)
        for (index, value) in resolved.values.enumerated() {
            guard let dims = value.type.dims else { continue }
            let fixed = dims.compactMap(\.fixedValue)
            if fixed.count == dims.count { shapes[index] = fixed }
            if let type = ElementType(value.type.dataType) { types[index] = type }
        }
        self.graph = resolved
        self.shapes = shapes
        self.types = types
    }
}
