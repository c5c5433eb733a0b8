import Foundation
import ModelCompiler

/// Unary activations and math (Relu, Sigmoid, Exp, ...), float32.
struct UnaryKernel: Kernel {
    let function: Pointwise
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        guard let function = Pointwise(op: node.op, attributes: node.attributes) else {
            throw node.error("not a unary op")
        }
        self.function = function
        count = node.outputShapes[0].reduce(1, *)
    }

    func run(_ io: KernelIO) {
        function.apply(io.floats(0), io.outputFloats(0), count: count)
    }
}

/// Clip with optional scalar min/max inputs (ONNX Clip-13); bounds are read at run time
/// because they may be computed.
struct ClipKernel: Kernel {
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        for index in [1, 2] where node.has(index) && node.shape(index).reduce(1, *) != 1 {
            throw node.error("min and max must be scalars, input \(index) has shape \(node.shape(index))")
        }
        count = node.outputShapes[0].reduce(1, *)
    }

    func run(_ io: KernelIO) {
        let low = io.input(1).map { $0.assumingMemoryBound(to: Float.self).pointee } ?? -.infinity
        let high = io.input(2).map { $0.assumingMemoryBound(to: Float.self).pointee } ?? .infinity
        Pointwise.clip(min: low, max: high).apply(io.floats(0), io.outputFloats(0), count: count)
    }
}

/// Add, Sub, Mul, Div, Pow with numpy broadcasting, float32.
///
/// At bind time each input gets per-axis strides over the output shape (0 on broadcast axes);
/// the run loops over the outer index and runs the innermost axis as a tight loop.
struct BinaryKernel: Kernel {
    enum Operation: Sendable { case add, sub, mul, div, pow }

    let operation: Operation
    let outputShape: [Int]
    let stridesA: [Int]
    let stridesB: [Int]
    let sameShape: Bool
    /// Output elements, and their split into rows of the innermost axis (fixed at bind time).
    let count: Int
    let rowLength: Int
    let rowCount: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        switch node.op {
        case .add: operation = .add
        case .sub: operation = .sub
        case .mul: operation = .mul
        case .div: operation = .div
        default: operation = .pow
        }
        outputShape = node.outputShapes[0]
        stridesA = BinaryKernel.broadcastStrides(node.shape(0), to: outputShape)
        stridesB = BinaryKernel.broadcastStrides(node.shape(1), to: outputShape)
        sameShape = node.shape(0) == outputShape && node.shape(1) == outputShape
        count = outputShape.reduce(1, *)
        rowLength = outputShape.last ?? 1
        rowCount = outputShape.dropLast().reduce(1, *)
    }

    /// Row-major strides of `shape` seen as `output` (right-aligned; 0 where broadcast).
    static func broadcastStrides(_ shape: [Int], to output: [Int]) -> [Int] {
        let padded = Array(repeating: 1, count: output.count - shape.count) + shape
        var strides = Array(repeating: 0, count: output.count)
        var step = 1
        for axis in (0..<output.count).reversed() {
            strides[axis] = padded[axis] == 1 ? 0 : step
            step *= padded[axis]
        }
        return strides
    }

    func run(_ io: KernelIO) {
        let a = io.floats(0)
        let b = io.floats(1)
        let y = io.outputFloats(0)
        if sameShape {
            apply(a, 1, b, 1, y, count: count)
            return
        }
        let rank = outputShape.count
        guard rank > 0 else {
            apply(a, 0, b, 0, y, count: 1)
            return
        }
        let inner = rowLength
        let (innerA, innerB) = (stridesA[rank - 1], stridesB[rank - 1])
        forEachRow(extents: outputShape, stridesA: stridesA, stridesB: stridesB) { row, offsetA, offsetB in
            apply(a + offsetA, innerA, b + offsetB, innerB, y + row * inner, count: inner)
        }
    }

    @inline(__always)
    private func apply(
        _ a: UnsafePointer<Float>, _ sa: Int, _ b: UnsafePointer<Float>, _ sb: Int, _ y: UnsafeMutablePointer<Float>,
        count: Int
    ) {
        switch (operation, sa, sb) {
        case (.add, 1, 1): for i in 0..<count { y[i] = a[i] + b[i] }
        case (.sub, 1, 1): for i in 0..<count { y[i] = a[i] - b[i] }
        case (.mul, 1, 1): for i in 0..<count { y[i] = a[i] * b[i] }
        case (.div, 1, 1): for i in 0..<count { y[i] = a[i] / b[i] }
        case (.add, _, _): for i in 0..<count { y[i] = a[i * sa] + b[i * sb] }
        case (.sub, _, _): for i in 0..<count { y[i] = a[i * sa] - b[i * sb] }
        case (.mul, _, _): for i in 0..<count { y[i] = a[i * sa] * b[i * sb] }
        case (.div, _, _): for i in 0..<count { y[i] = a[i * sa] / b[i * sb] }
        case (.pow, _, _): for i in 0..<count { y[i] = Foundation.pow(a[i * sa], b[i * sb]) }
        }
    }
}
