import ModelCompiler

/// Equal, Less, Greater, LessOrEqual, GreaterOrEqual (ONNX Equal-13/19, Less-13, Greater-13,
/// LessOrEqual-16, GreaterOrEqual-16): BOOL C = A op B with numpy
/// broadcasting, for float32, int64, int32 and uint8 operands (and bool for Equal). NaN compares
/// false, as in IEEE arithmetic and ONNX Runtime.
struct ComparisonKernel: Kernel {
    enum Operation: Sendable { case equal, less, greater, lessOrEqual, greaterOrEqual }

    let operation: Operation
    let type: ElementType
    let outputShape: [Int]
    let stridesA: [Int]
    let stridesB: [Int]

    init(binding node: BoundNode) throws(RuntimeError) {
        switch node.op {
        case .equal: operation = .equal
        case .less: operation = .less
        case .lessOrEqual: operation = .lessOrEqual
        case .greaterOrEqual: operation = .greaterOrEqual
        default: operation = .greater
        }
        guard let a = node.inputTypes.first ?? nil, node.inputTypes.count == 2, node.inputTypes[1] == a else {
            throw node.error("A and B must have one element type, got \(node.inputTypes.map { $0?.rawValue ?? "?" })")
        }
        let supported: [ElementType] =
            operation == .equal ? [.float32, .int64, .int32, .uint8, .bool] : [.float32, .int64, .int32, .uint8]
        guard supported.contains(a) else {
            throw node.error("\(node.op.rawValue) of \(a) inputs is not supported (\(supported.map(\.rawValue)))")
        }
        type = a
        let output = node.outputShapes[0]
        outputShape = output
        stridesA = BinaryKernel.broadcastStrides(node.shape(0), to: output)
        stridesB = BinaryKernel.broadcastStrides(node.shape(1), to: output)
    }

    func run(_ io: KernelIO) {
        guard let a = io.input(0), let b = io.input(1), let c = io.output(0) else { return }
        let result = c.assumingMemoryBound(to: Bool.self)
        switch type {
        case .float32: compare(a.assumingMemoryBound(to: Float.self), b.assumingMemoryBound(to: Float.self), result)
        case .int64: compare(a.assumingMemoryBound(to: Int64.self), b.assumingMemoryBound(to: Int64.self), result)
        case .int32: compare(a.assumingMemoryBound(to: Int32.self), b.assumingMemoryBound(to: Int32.self), result)
        default: compare(a.assumingMemoryBound(to: UInt8.self), b.assumingMemoryBound(to: UInt8.self), result)
        }
    }

    private func compare<T: Comparable>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ c: UnsafeMutablePointer<Bool>) {
        let rank = outputShape.count
        let inner = rank == 0 ? 1 : outputShape[rank - 1]
        let (sa, sb) = rank == 0 ? (0, 0) : (stridesA[rank - 1], stridesB[rank - 1])
        let extents = rank == 0 ? [1] : outputShape
        forEachRow(extents: extents, stridesA: rank == 0 ? [0] : stridesA, stridesB: rank == 0 ? [0] : stridesB) {
            row, offsetA, offsetB in
            let (x, y, out) = (a + offsetA, b + offsetB, c + row * inner)
            switch operation {
            case .equal: for i in 0..<inner { out[i] = x[i * sa] == y[i * sb] }
            case .less: for i in 0..<inner { out[i] = x[i * sa] < y[i * sb] }
            case .greater: for i in 0..<inner { out[i] = x[i * sa] > y[i * sb] }
            case .lessOrEqual: for i in 0..<inner { out[i] = x[i * sa] <= y[i * sb] }
            case .greaterOrEqual: for i in 0..<inner { out[i] = x[i * sa] >= y[i * sb] }
            }
        }
    }
}

/// Where (ONNX Where-16): output = X where condition else Y, the three broadcast together;
/// any element type (X and Y alike), copied bytewise.
struct WhereKernel: Kernel {
    let outputShape: [Int]
    /// Strides of condition, X and Y over the output shape, in elements (0 where broadcast).
    let strides: [[Int]]
    let elementSize: Int
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        guard node.inputTypes.first == .bool else {
            throw node.error("condition must be bool, got \(node.inputTypes.first??.rawValue ?? "?")")
        }
        guard let type = node.inputTypes[1], node.inputTypes[2] == type else {
            throw node.error("X and Y must have one element type")
        }
        elementSize = type.byteSize
        let output = node.outputShapes[0]
        outputShape = output
        strides = (0..<3).map { BinaryKernel.broadcastStrides(node.shape($0), to: output) }
        count = output.reduce(1, *)
    }

    func run(_ io: KernelIO) {
        guard let condition = io.input(0), let x = io.input(1), let y = io.input(2), let out = io.output(0) else {
            return
        }
        let flags = condition.assumingMemoryBound(to: Bool.self)
        let rank = outputShape.count
        // An odometer over the output: each input's offset moves by its stride per axis.
        withUnsafeTemporaryAllocation(of: Int.self, capacity: max(rank, 1)) { index in
            index.initialize(repeating: 0)
            var offsets = (0, 0, 0)
            for element in 0..<count {
                let source = flags[offsets.0] ? x + offsets.1 * elementSize : y + offsets.2 * elementSize
                (out + element * elementSize).copyMemory(from: source, byteCount: elementSize)
                var axis = rank - 1
                while axis >= 0 {
                    index[axis] += 1
                    offsets.0 += strides[0][axis]
                    offsets.1 += strides[1][axis]
                    offsets.2 += strides[2][axis]
                    if index[axis] < outputShape[axis] { break }
                    offsets.0 -= strides[0][axis] * outputShape[axis]
                    offsets.1 -= strides[1][axis] * outputShape[axis]
                    offsets.2 -= strides[2][axis] * outputShape[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}
