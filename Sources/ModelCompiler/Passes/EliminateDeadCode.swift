/// Removes nodes none of whose outputs reach a graph output.
struct EliminateDeadCode: GraphPass {
    let name = "eliminate-dead-code"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        var live = Set(graph.outputs)
        var keep = [Bool](repeating: false, count: graph.nodes.count)
        for index in graph.nodes.indices.reversed() {
            let node = graph.nodes[index]
            guard node.outputs.contains(where: { $0.map(live.contains) ?? false }) else { continue }
            keep[index] = true
            for input in node.inputs { if let input { live.insert(input) } }
        }
        let before = graph.nodes.count
        graph.nodes = graph.nodes.indices.filter { keep[$0] }.map { graph.nodes[$0] }
        return graph.nodes.count != before
    }
}
