import ModelCompiler

/// Shape (ONNX Shape-15): the input's dims from start to end as INT64, fixed at bind time.
struct ShapeKernel: Kernel {
    let dims: [Int64]

    init(binding node: BoundNode) throws(RuntimeError) {
        let shape = node.shape(0)
        dims = shapeRange(rank: shape.count, attributes: node.attributes).map { Int64(shape[$0]) }
        guard node.outputShapes[0] == [dims.count] else {
            throw node.error("output \(node.outputShapes[0]) does not hold the \(dims.count) dims")
        }
    }

    func run(_ io: KernelIO) {
        guard let output = io.output(0) else { return }
        let y = output.assumingMemoryBound(to: Int64.self)
        for (index, dim) in dims.enumerated() { y[index] = dim }
    }
}

/// ConstantOfShape (ONNX ConstantOfShape-20): the output filled with the one element of
/// `value` (float 0 when absent), any stored element type.
struct ConstantOfShapeKernel: Kernel {
    let element: [UInt8]
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        if let tensor = node.attributes.tensor("value") {
            guard ElementType(tensor.dataType) != nil, let bytes = try? tensor.elementBytes() else {
                throw node.error("value of type \(tensor.dataType) is not a type the runtime stores")
            }
            element = Array(bytes)
        } else {
            element = [0, 0, 0, 0]  // float32 0
        }
        count = node.outputShapes[0].reduce(1, *)
        guard node.outputTypes[0].byteSize == element.count else {
            throw node.error("value holds \(element.count) bytes, not one \(node.outputTypes[0]) element")
        }
    }

    func run(_ io: KernelIO) {
        guard let output = io.output(0) else { return }
        let size = element.count
        element.withUnsafeBytes { source in
            guard let base = source.baseAddress else { return }
            for index in 0..<count { (output + index * size).copyMemory(from: base, byteCount: size) }
        }
    }
}

/// Expand (ONNX Expand-13): the input broadcast to the output shape, any element type, copied
/// row by row with the input's broadcast strides.
struct ExpandKernel: Kernel {
    let outputShape: [Int]
    let strides: [Int]
    let elementSize: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let type = node.inputTypes.first ?? nil else { throw node.error("input 0 is missing") }
        elementSize = type.byteSize
        let output = node.outputShapes[0]
        outputShape = output
        strides = BinaryKernel.broadcastStrides(node.shape(0), to: output)
    }

    func run(_ io: KernelIO) {
        guard let x = io.input(0), let y = io.output(0), outputShape.reduce(1, *) > 0 else { return }
        let rank = outputShape.count
        guard rank > 0 else {
            y.copyMemory(from: x, byteCount: elementSize)
            return
        }
        let inner = outputShape[rank - 1]
        let stride = strides[rank - 1]
        let size = elementSize
        forEachRow(extents: outputShape, stridesA: strides) { row, offset, _ in
            let out = y + row * inner * size
            let source = x + offset * size
            if stride == 1 {
                out.copyMemory(from: source, byteCount: inner * size)
            } else {
                for i in 0..<inner { (out + i * size).copyMemory(from: source + i * stride * size, byteCount: size) }
            }
        }
    }
}
