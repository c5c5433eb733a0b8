import Foundation
import ModelFormat

/// Evaluates nodes whose inputs are all initializers and replaces their outputs by
/// initializers: Constant, the shape-only ops (Reshape, Flatten, Squeeze, Unsqueeze, Identity),
/// Transpose, and float32 Add/Sub/Mul/Div/Neg/Sqrt. Typical win: a weight transposed or
/// reshaped at every run is stored in its final form instead.
struct FoldConstants: GraphPass {
    let name = "fold-constants"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        var removed = Set<Int>()
        let graphOutputs = Set(graph.outputs)
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard node.outputs.count == 1, let output = node.outputs[0], !graphOutputs.contains(output),
                node.inputs.allSatisfy({ $0.map { graph.initializers[$0] != nil } ?? true }),
                let dims = graph[output].type.dims?.compactMap(\.fixedValue),
                dims.count == graph[output].type.dims?.count,
                let bytes = evaluate(node, graph: graph, outputDims: dims)
            else { continue }
            var tensor = ProtoTensor()
            tensor.name = graph[output].name
            tensor.dataType = graph[output].type.dataType
            tensor.dims = dims.map { Int64($0) }
            tensor.rawData = bytes
            graph.initializers[output] = tensor
            graph[output].origin = .initializer
            removed.insert(index)
        }
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        return !removed.isEmpty
    }

    /// Little-endian bytes of the node's output, or nil when the node is not foldable.
    private func evaluate(_ node: Node, graph: Graph, outputDims: [Int]) -> Data? {
        let inputs = node.inputs.map { $0.flatMap { graph.initializers[$0] } }
        switch node.op {
        case .constant:
            if let tensor = node.attributes.tensor("value") { return try? tensor.elementBytes() }
            if let floats = node.attributes.floats("value_floats") { return bytes(floats) }
            if node.attributes.has("value_float") { return bytes([node.attributes.float("value_float", default: 0)]) }
            if let ints = node.attributes.ints("value_ints") { return int64Bytes(ints.map { Int64($0) }) }
            if node.attributes.has("value_int") { return int64Bytes([Int64(node.attributes.int("value_int", default: 0))]) }
            return nil
        case .reshape, .flatten, .squeeze, .unsqueeze, .identity:
            return inputs.first.flatMap { $0.flatMap { try? $0.elementBytes() } }
        case .transpose:
            guard let tensor = inputs.first ?? nil, let data = try? tensor.elementBytes(),
                let size = tensor.dataType.resolved.byteSize
            else { return nil }
            let shape = tensor.dims.map { Int($0) }
            let perm = node.attributes.ints("perm") ?? Array(shape.indices.reversed())
            return transpose(data, shape: shape, perm: perm, elementSize: size)
        case .add, .sub, .mul, .div, .neg, .sqrt:
            let floats = inputs.compactMap { $0 }.compactMap { try? $0.floatValues() }
            guard floats.count == inputs.count, inputs.allSatisfy({ $0?.dataType.resolved == .float }) else { return nil }
            let shapes = inputs.compactMap { $0?.dims.map { Int($0) } }
            return bytes(arithmetic(node.op, floats, shapes: shapes, outputDims: outputDims))
        default:
            return nil
        }
    }

    private func arithmetic(_ op: OpType, _ values: [[Float]], shapes: [[Int]], outputDims: [Int]) -> [Float] {
        let count = outputDims.reduce(1, *)
        func element(_ input: Int, _ flat: Int) -> Float {
            // Map an output index to the (right-aligned, broadcast) input index.
            let shape = shapes[input]
            var remainder = flat
            var index = 0
            var stride = 1
            for axis in (0..<outputDims.count).reversed() {
                let coordinate = remainder % outputDims[axis]
                remainder /= outputDims[axis]
                let inputAxis = axis - (outputDims.count - shape.count)
                if inputAxis >= 0 {
                    if shape[inputAxis] != 1 { index += coordinate * stride }
                    stride *= shape[inputAxis]
                }
            }
            return values[input][index]
        }
        return (0..<count).map { flat in
            switch op {
            case .add: element(0, flat) + element(1, flat)
            case .sub: element(0, flat) - element(1, flat)
            case .mul: element(0, flat) * element(1, flat)
            case .div: element(0, flat) / element(1, flat)
            case .neg: -element(0, flat)
            default: element(0, flat).squareRoot()
            }
        }
    }

    private func transpose(_ data: Data, shape: [Int], perm: [Int], elementSize: Int) -> Data? {
        guard perm.sorted() == Array(shape.indices) else { return nil }
        let outShape = perm.map { shape[$0] }
        var inStrides = [Int](repeating: 1, count: shape.count)
        for axis in stride(from: shape.count - 2, through: 0, by: -1) { inStrides[axis] = inStrides[axis + 1] * shape[axis + 1] }
        let count = shape.reduce(1, *)
        var output = Data(count: count * elementSize)
        data.withUnsafeBytes { (source: UnsafeRawBufferPointer) in
            output.withUnsafeMutableBytes { (destination: UnsafeMutableRawBufferPointer) in
                for flat in 0..<count {
                    var remainder = flat
                    var offset = 0
                    for axis in (0..<outShape.count).reversed() {
                        offset += (remainder % outShape[axis]) * inStrides[perm[axis]]
                        remainder /= outShape[axis]
                    }
                    for byte in 0..<elementSize {
                        destination[flat * elementSize + byte] = source[offset * elementSize + byte]
                    }
                }
            }
        }
        return output
    }

    private func bytes(_ floats: [Float]) -> Data {
        var data = Data(capacity: floats.count * 4)
        for value in floats { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    private func int64Bytes(_ values: [Int64]) -> Data {
        var data = Data(capacity: values.count * 8)
        for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }
}
