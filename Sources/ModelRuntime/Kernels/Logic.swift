import ModelCompiler

/// And, Or, Xor (ONNX And-7, Or-7, Xor-7): BOOL C = A op B with numpy broadcasting.
struct LogicalKernel: Kernel {
    enum Operation: Sendable { case and, or, xor }

    let operation: Operation
    let outputShape: [Int]
    let stridesA: [Int]
    let stridesB: [Int]

    init(binding node: BoundNode) throws(RuntimeError) {
        guard node.inputTypes.count == 2, node.inputTypes.allSatisfy({ $0 == .bool }) else {
            throw node.error("A and B must be bool, got \(node.inputTypes.map { $0?.rawValue ?? "?" })")
        }
        switch node.op {
        case .and: operation = .and
        case .or: operation = .or
        default: operation = .xor
        }
        outputShape = node.outputShapes[0]
        stridesA = BinaryKernel.broadcastStrides(node.shape(0), to: outputShape)
        stridesB = BinaryKernel.broadcastStrides(node.shape(1), to: outputShape)
    }

    func run(_ io: KernelIO) {
        guard let a = io.input(0), let b = io.input(1), let c = io.output(0) else { return }
        let (x, y, z) = (
            a.assumingMemoryBound(to: Bool.self), b.assumingMemoryBound(to: Bool.self),
            c.assumingMemoryBound(to: Bool.self)
        )
        let rank = outputShape.count
        let inner = rank == 0 ? 1 : outputShape[rank - 1]
        let (sa, sb) = rank == 0 ? (0, 0) : (stridesA[rank - 1], stridesB[rank - 1])
        forEachRow(
            extents: rank == 0 ? [1] : outputShape, stridesA: rank == 0 ? [0] : stridesA,
            stridesB: rank == 0 ? [0] : stridesB
        ) { row, offsetA, offsetB in
            let out = z + row * inner
            for i in 0..<inner {
                let (p, q) = (x[offsetA + i * sa], y[offsetB + i * sb])
                switch operation {
                case .and: out[i] = p && q
                case .or: out[i] = p || q
                case .xor: out[i] = p != q
                }
            }
        }
    }
}

/// Not (ONNX Not-1), IsNaN (IsNaN-13/20) and IsInf (IsInf-10/20): one BOOL per element, from
/// bool (Not) or float32 (the classifications) input.
struct ElementTestKernel: Kernel {
    enum Test: Sendable { case not, isNaN, isInf(negative: Bool, positive: Bool) }

    let test: Test
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        let wanted: ElementType = node.op == .not ? .bool : .float32
        guard node.inputTypes.first == wanted else {
            throw node.error("X must be \(wanted), got \(node.inputTypes.first??.rawValue ?? "?")")
        }
        switch node.op {
        case .not: test = .not
        case .isNaN: test = .isNaN
        default:
            test = .isInf(
                negative: try node.flag("detect_negative", default: true),
                positive: try node.flag("detect_positive", default: true))
        }
        count = node.outputShapes[0].reduce(1, *)
    }

    func run(_ io: KernelIO) {
        guard let input = io.input(0), let output = io.output(0) else { return }
        let y = output.assumingMemoryBound(to: Bool.self)
        switch test {
        case .not:
            let x = input.assumingMemoryBound(to: Bool.self)
            for i in 0..<count { y[i] = !x[i] }
        case .isNaN:
            let x = input.assumingMemoryBound(to: Float.self)
            for i in 0..<count { y[i] = x[i].isNaN }
        case .isInf(let negative, let positive):
            let x = input.assumingMemoryBound(to: Float.self)
            for i in 0..<count { y[i] = x[i].isInfinite && (x[i] < 0 ? negative : positive) }
        }
    }
}
