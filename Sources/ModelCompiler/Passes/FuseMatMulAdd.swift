/// MatMul(A, B) followed by Add(·, C) becomes Gemm(A, B, C) when A and B are matrices and C
/// broadcasts to the product as a row or matrix (the ONNX Gemm bias rule) — one GEMM call
/// instead of a product and a second pass over the output.
struct FuseMatMulAdd: GraphPass {
    let name = "fuse-matmul-add"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        let uses = graph.useCounts()
        let graphOutputs = Set(graph.outputs)
        var removed = Set<Int>()
        for index in graph.nodes.indices where graph.nodes[index].op == .add {
            let add = graph.nodes[index]
            for (position, candidate) in add.inputs.enumerated() {
                guard let product = candidate, uses[product.index] == 1, !graphOutputs.contains(product),
                    let producer = graph.producer(of: product), graph.nodes[producer.index].op == .matMul,
                    !removed.contains(producer.index),
                    let bias = add.inputs[1 - position],
                    let a = graph.nodes[producer.index].inputs[0], let b = graph.nodes[producer.index].inputs[1],
                    graph[a].type.rank == 2, graph[b].type.rank == 2,
                    let biasDims = graph[bias].type.dims, let productDims = graph[product].type.dims,
                    // Unknown dims compare equal as enum cases, but may differ at run time: a bias
                    // that broadcasts the product up (Add's output larger than the product) must
                    // not become Gemm's C, so every dim compared must be known.
                    productDims.count == 2, !(biasDims + productDims).contains(.unknown),
                    biasDims.count <= 2, biasDims.count == 1 ? biasDims[0] == productDims[1] : true,
                    biasDims.count == 2
                        ? (biasDims[1] == productDims[1] && (biasDims[0] == .fixed(1) || biasDims[0] == productDims[0]))
                        : true
                else { continue }
                var gemm = graph.nodes[producer.index]
                gemm.op = .gemm
                gemm.inputs = [a, b, bias]
                gemm.outputs = add.outputs
                gemm.name = add.name.isEmpty ? gemm.name : add.name
                graph.nodes[index] = gemm
                removed.insert(producer.index)
                break
            }
        }
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        return !removed.isEmpty
    }
}
