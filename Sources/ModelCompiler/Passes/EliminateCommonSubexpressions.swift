import SwiftProtobuf

/// Merges nodes that compute the same op on the same inputs with the same attributes.
/// Dropout is never merged (each draws its own mask); graph outputs keep their names.
struct EliminateCommonSubexpressions: GraphPass {
    let name = "eliminate-common-subexpressions"

    private struct Key: Hashable {
        let op: OpType
        let inputs: [ValueID?]
        let attributes: [String]
    }

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        var seen: [Key: Int] = [:]
        var removed = Set<Int>()
        var replacements: [ValueID: ValueID] = [:]
        let graphOutputs = Set(graph.outputs)
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard node.op != .dropout else { continue }
            let key = Key(
                op: node.op, inputs: node.inputs.map { $0.map { replacements[$0] ?? $0 } },
                attributes: node.attributes.proto.map { $0.textFormatString() })
            guard let first = seen[key] else {
                seen[key] = index
                continue
            }
            let original = graph.nodes[first]
            guard original.outputs.count == node.outputs.count,
                !node.outputs.contains(where: { $0.map(graphOutputs.contains) ?? false })
            else { continue }
            for (mine, theirs) in zip(node.outputs, original.outputs) {
                if let mine, let theirs { replacements[mine] = theirs }
            }
            if zip(node.outputs, original.outputs).allSatisfy({ $0.0 == nil || $0.1 != nil }) { removed.insert(index) }
        }
        graph.replaceUses(replacements)
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        return !removed.isEmpty
    }
}
