import Foundation
import ModelFormat

/// A Reshape or Flatten whose input comes from another Reshape or Flatten reads the first
/// one's input directly: the result depends only on the element order, which reshapes keep.
/// The second op becomes a Reshape to its inferred shape (with -1 for the batch symbol).
struct CollapseReshapeChains: GraphPass {
    let name = "collapse-reshape-chains"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        var changed = false
        let reshapes: Set<OpType> = [.reshape, .flatten, .squeeze, .unsqueeze]
        for index in graph.nodes.indices where graph.nodes[index].op == .reshape || graph.nodes[index].op == .flatten {
            let node = graph.nodes[index]
            guard let input = node.inputs[0], let producer = graph.producer(of: input),
                reshapes.contains(graph.nodes[producer.index].op), let source = graph.nodes[producer.index].inputs[0],
                let output = node.outputs[0], let dims = graph[output].type.dims,
                let shape = targetShape(dims)
            else { continue }
            var tensor = ProtoTensor()
            tensor.name = graph.uniqueName("folded.\(graph[output].name).shape")
            tensor.dataType = .int64
            tensor.dims = [Int64(shape.count)]
            tensor.int64Data = shape
            let shapeValue = graph.addInitializer(tensor)
            graph.nodes[index].op = .reshape
            graph.nodes[index].attributes = Attributes([])
            graph.nodes[index].inputs = [source, shapeValue]
            changed = true
        }
        return changed
    }

    /// The output dims as a Reshape shape: fixed sizes, and -1 for at most one non-fixed dim.
    private func targetShape(_ dims: [Dim]) -> [Int64]? {
        guard dims.filter({ $0.fixedValue == nil }).count <= 1, !dims.contains(.fixed(0)) else { return nil }
        return dims.map { $0.fixedValue.map { Int64($0) } ?? -1 }
    }
}
