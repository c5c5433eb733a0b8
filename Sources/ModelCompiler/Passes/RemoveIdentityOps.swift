/// Removes Identity, and Dropout in inference (where it is the identity), by pointing readers
/// at the input. A node whose output is a graph output stays, so output names survive.
struct RemoveIdentityOps: GraphPass {
    let name = "remove-identity-ops"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        var removed = Set<Int>()
        var replacements: [ValueID: ValueID] = [:]
        let graphOutputs = Set(graph.outputs)
        let uses = graph.useCounts()
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard node.op == .identity || (node.op == .dropout && context.target == .inference),
                let input = node.inputs.first ?? nil, let output = node.outputs.first ?? nil, !graphOutputs.contains(output)
            else { continue }
            // Dropout's optional mask must be unused for the node to vanish.
            if node.outputs.count > 1, let mask = node.outputs[1], uses[mask.index] > 0 { continue }
            replacements[output] = input
            removed.insert(index)
        }
        graph.replaceUses(replacements)
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        return !removed.isEmpty
    }
}
