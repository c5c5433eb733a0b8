import ModelCompiler

/// Slice (ONNX Slice-13): any element type; starts, ends, axes and steps must be constants
/// (the output's shape depends on them, and the runtime plans shapes before running).
///
/// Output element (i0, i1, ...) reads input element (start_a + i_a·step_a)_a; at bind time
/// that becomes a base offset and a stride per output axis (negative for negative steps), so
/// the run copies row by row.
struct SliceKernel: Kernel {
    let outputShape: [Int]
    let strides: [Int]
    let base: Int
    let elementSize: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let type = node.inputTypes.first ?? nil else { throw node.error("input 0 is missing") }
        elementSize = type.byteSize
        var values: [[Int64]?] = []
        for position in 1...4 {
            guard node.has(position) else {
                values.append(nil)
                continue
            }
            guard let constant = node.constants[position] else {
                throw node.error("starts, ends, axes and steps must be constants (initializers or Constant)")
            }
            values.append(constant.int64s)
        }
        let shape = node.shape(0)
        let geometry: [SliceAxis]
        switch sliceGeometry(
            dims: shape, starts: values[0] ?? [], ends: values[1] ?? [], axes: values[2], steps: values[3])
        {
        case .failure(let error): throw node.error(error.message)
        case .success(let axes): geometry = axes
        }
        let output = geometry.map(\.count)
        guard output == node.outputShapes[0] else {
            throw node.error("the slice gives \(output), but the planned output is \(node.outputShapes[0])")
        }
        outputShape = output
        var inputStrides = [Int](repeating: 1, count: shape.count)
        for axis in shape.indices.reversed().dropFirst() { inputStrides[axis] = inputStrides[axis + 1] * shape[axis + 1] }
        strides = zip(geometry, inputStrides).map { $0.step * $1 }
        base = zip(geometry, inputStrides).map { $0.start * $1 }.reduce(0, +)
    }

    func run(_ io: KernelIO) {
        guard let x = io.input(0), let y = io.output(0), outputShape.reduce(1, *) > 0 else { return }
        let size = elementSize
        guard let inner = outputShape.last else {
            y.copyMemory(from: x, byteCount: size)
            return
        }
        let stride = strides[strides.count - 1]
        forEachRow(extents: outputShape, stridesA: strides) { row, offset, _ in
            let out = y + row * inner * size
            let source = x + (base + offset) * size
            if stride == 1 {
                out.copyMemory(from: source, byteCount: inner * size)
            } else {
                for i in 0..<inner { (out + i * size).copyMemory(from: source + i * stride * size, byteCount: size) }
            }
        }
    }
}

/// Range (ONNX Range-11): output[i] = start + i·delta for the planned length; float32, int64
/// or int32 scalars, read at run time.
struct RangeKernel: Kernel {
    let type: ElementType
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let type = node.inputTypes.first ?? nil, [.float32, .int64, .int32].contains(type),
            node.inputTypes.allSatisfy({ $0 == type })
        else {
            throw node.error("start, limit and delta must be scalars of one type: float32, int64 or int32")
        }
        for position in 0..<3 where node.shape(position).reduce(1, *) != 1 {
            throw node.error("input \(position) must be a scalar, it has shape \(node.shape(position))")
        }
        self.type = type
        count = node.outputShapes[0].reduce(1, *)
    }

    func run(_ io: KernelIO) {
        guard let start = io.input(0), let delta = io.input(2), let output = io.output(0) else { return }
        switch type {
        case .float32: fill(start, delta, output, as: Float.self)
        case .int64: fill(start, delta, output, as: Int64.self)
        default: fill(start, delta, output, as: Int32.self)
        }
    }

    private func fill<T: Numeric>(
        _ start: UnsafeRawPointer, _ delta: UnsafeRawPointer, _ output: UnsafeMutableRawPointer, as: T.Type
    ) {
        let (first, step) = (start.load(as: T.self), delta.load(as: T.self))
        let y = output.assumingMemoryBound(to: T.self)
        var value = first
        // Each element as start + i·delta, not a running sum, for floats: ONNX's definition.
        for i in 0..<count {
            if let exact = T(exactly: i) { value = first + exact * step }
            y[i] = value
        }
    }
}
