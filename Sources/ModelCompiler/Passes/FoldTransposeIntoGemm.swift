/// A 2-D Transpose feeding Gemm's A or B is absorbed by flipping transA / transB; the
/// Transpose disappears when nothing else reads it (dead-code elimination).
struct FoldTransposeIntoGemm: GraphPass {
    let name = "fold-transpose-into-gemm"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        var changed = false
        for index in graph.nodes.indices where graph.nodes[index].op == .gemm || graph.nodes[index].op == .fusedGemm {
            for (position, flag) in [(0, "transA"), (1, "transB")] {
                guard let input = graph.nodes[index].inputs[position], let producer = graph.producer(of: input) else { continue }
                let transpose = graph.nodes[producer.index]
                guard transpose.op == .transpose, graph[input].type.rank == 2,
                    (transpose.attributes.ints("perm") ?? [1, 0]) == [1, 0], let source = transpose.inputs[0]
                else { continue }
                let current = graph.nodes[index].attributes.int(flag, default: 0)
                graph.nodes[index].attributes.set(flag, int: 1 - current)
                graph.nodes[index].inputs[position] = source
                changed = true
            }
        }
        return changed
    }
}
