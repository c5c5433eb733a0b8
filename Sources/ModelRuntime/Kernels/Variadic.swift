import ModelCompiler

/// Max, Min, Sum, Mean over one or more float32 inputs with numpy broadcasting (ONNX Max-13,
/// Min-13, Sum-13, Mean-13).
///
/// The output starts as input 0 broadcast to the output shape; each further input is folded
/// in row by row with its broadcast strides (fixed at bind time); Mean scales by 1/n at the end.
/// Max and Min propagate NaN, as numpy's maximum/minimum and ONNX Runtime do.
struct VariadicKernel: Kernel {
    enum Operation: Sendable { case max, min, sum, mean }

    let operation: Operation
    let outputShape: [Int]
    /// Per input, its strides over the output shape (0 on broadcast axes).
    let strides: [[Int]]
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        switch node.op {
        case .max: operation = .max
        case .min: operation = .min
        case .sum: operation = .sum
        default: operation = .mean
        }
        let output = node.outputShapes[0]
        outputShape = output
        strides = (0..<node.inputShapes.count).map { BinaryKernel.broadcastStrides(node.shape($0), to: output) }
        count = outputShape.reduce(1, *)
    }

    func run(_ io: KernelIO) {
        let y = io.outputFloats(0)
        guard count > 0 else { return }
        let rank = outputShape.count
        let inner = rank == 0 ? 1 : outputShape[rank - 1]
        let extents = rank == 0 ? [1] : outputShape
        for (position, inputStrides) in strides.enumerated() {
            let x = io.floats(position)
            let stride = rank == 0 ? 0 : inputStrides[rank - 1]
            let rowStrides = rank == 0 ? [0] : inputStrides
            forEachRow(extents: extents, stridesA: rowStrides) { row, offset, _ in
                let out = y + row * inner
                let source = x + offset
                if position == 0 {
                    for i in 0..<inner { out[i] = source[i * stride] }
                } else {
                    combine(source, stride, into: out, count: inner)
                }
            }
        }
        if operation == .mean {
            let scale = 1 / Float(strides.count)
            for i in 0..<count { y[i] *= scale }
        }
    }

    @inline(__always)
    private func combine(_ x: UnsafePointer<Float>, _ stride: Int, into y: UnsafeMutablePointer<Float>, count: Int) {
        switch operation {
        case .sum, .mean: for i in 0..<count { y[i] += x[i * stride] }
        case .max:
            for i in 0..<count {
                let v = x[i * stride]
                if v.isNaN || v > y[i] { y[i] = v }
            }
        case .min:
            for i in 0..<count {
                let v = x[i * stride]
                if v.isNaN || v < y[i] { y[i] = v }
            }
        }
    }
}
