import Foundation
import ModelCompiler

/// Kernels for BatchNormalization, LayerNormalization.
func makeNormalizationKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    switch node.op {
    case .batchNormalization: try BatchNormalizationKernel(binding: node)
    default: try LayerNormalizationKernel(binding: node)
    }
}

/// BatchNormalization in inference form (ONNX BatchNormalization-15, training_mode = 0):
/// Y = scale·(X − mean)/sqrt(var + epsilon) + B per channel, X [N, C, d...], float32.
///
/// The parameters are read at run time (they may be computed); per channel the kernel forms
/// a = scale/sqrt(var + epsilon) once and writes y = (x − mean)·a + B, which keeps the
/// subtraction before the scaling (more accurate than x·a + (B − mean·a) when |mean| ≫ σ).
/// Training mode, which updates running statistics, belongs to the training graph.
struct BatchNormalizationKernel: Kernel {
    let batches: Int
    let channels: Int
    let spatial: Int
    let epsilon: Float

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        if try node.flag("training_mode", default: false) {
            throw node.error("training mode runs in the training graph; inference needs training_mode = 0")
        }
        // Running-statistics outputs exist only in training mode; their shape is [C], never [].
        if node.outputShapes.dropFirst().contains(where: { !$0.isEmpty }) {
            throw node.error("running_mean and running_var are training outputs; inference produces Y only")
        }
        (batches, channels, spatial) = try node.channelLayout(of: 0, perChannel: 1...4)
        epsilon = node.attributes.float("epsilon", default: 1e-5)
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        let scale = io.floats(1)
        let bias = io.floats(2)
        let mean = io.floats(3)
        let variance = io.floats(4)
        let y = io.outputFloats(0)
        for n in 0..<batches {
            for c in 0..<channels {
                let a = scale[c] / (variance[c] + epsilon).squareRoot()
                let m = mean[c]
                let b = bias[c]
                let base = (n * channels + c) * spatial
                for s in base..<(base + spatial) { y[s] = (x[s] - m) * a + b }
            }
        }
    }
}

/// LayerNormalization (ONNX LayerNormalization-17): each row of the axes from `axis` on is
/// normalised, Y = (X − mean)/sqrt(var + epsilon)·Scale + B, with optional Mean and InvStdDev
/// outputs shaped like X with the normalised axes set to 1.
///
/// Stable two-pass form: the mean is summed in Double, then the variance is the mean of
/// (x − mean)² with the subtraction also done in Double. Rounding the mean to float32 first
/// would cost digits when |mean| ≫ σ (a row near 10⁴ with σ = 0.1 loses about two), and the
/// one-pass E[x²] − E[x]² loses all of them. Scale and B broadcast to the normalised shape.
struct LayerNormalizationKernel: Kernel {
    let rows: Int
    let size: Int
    let epsilon: Double
    /// Element offsets of Scale and B per normalised position; nil when the tensor covers the
    /// normalised shape itself (offset = position).
    let scaleOffsets: [Int]?
    let biasOffsets: [Int]?
    let hasBias: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let shape = node.shape(0)
        let axis = try node.axis(default: -1, allowScalar: true)
        let normalized = Array(shape[axis...])
        rows = shape[..<axis].reduce(1, *)
        size = normalized.reduce(1, *)
        epsilon = Double(node.attributes.float("epsilon", default: 1e-5))
        scaleOffsets = try Self.offsets(node.shape(1), normalized, node: node, name: "Scale")
        hasBias = node.has(2)
        biasOffsets = hasBias ? try Self.offsets(node.shape(2), normalized, node: node, name: "B") : nil
    }

    /// Offsets of a tensor of `shape` broadcast over `normalized` (nil: no broadcasting needed).
    private static func offsets(
        _ shape: [Int], _ normalized: [Int], node: BoundNode, name: String
    ) throws(RuntimeError) -> [Int]? {
        let padded = Array(repeating: 1, count: max(0, normalized.count - shape.count)) + shape
        guard padded.count == normalized.count, zip(padded, normalized).allSatisfy({ $0 == $1 || $0 == 1 }) else {
            throw node.error("\(name) \(shape) does not broadcast to the normalised shape \(normalized)")
        }
        if padded == normalized { return nil }
        let strides = BinaryKernel.broadcastStrides(padded, to: normalized)
        let count = normalized.reduce(1, *)
        var result = [Int](repeating: 0, count: count)
        for position in 0..<count {
            var rest = position
            var offset = 0
            for axis in normalized.indices.reversed() {
                offset += (rest % normalized[axis]) * strides[axis]
                rest /= normalized[axis]
            }
            result[position] = offset
        }
        return result
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        let scale = io.floats(1)
        let bias = hasBias ? io.floats(2) : nil
        let y = io.outputFloats(0)
        let meanOutput = io.output(1)?.assumingMemoryBound(to: Float.self)
        let invOutput = io.output(2)?.assumingMemoryBound(to: Float.self)
        let count = Double(size)
        for row in 0..<rows {
            let xs = x + row * size
            let ys = y + row * size
            var sum = 0.0
            for j in 0..<size { sum += Double(xs[j]) }
            let mean = sum / count
            var squares = 0.0
            for j in 0..<size {
                let d = Double(xs[j]) - mean
                squares += d * d
            }
            let inverse = 1 / (squares / count + epsilon).squareRoot()
            meanOutput?[row] = Float(mean)
            invOutput?[row] = Float(inverse)
            switch (scaleOffsets, biasOffsets, bias) {
            case (nil, nil, let bias?):
                for j in 0..<size { ys[j] = Float((Double(xs[j]) - mean) * inverse) * scale[j] + bias[j] }
            case (nil, _, nil):
                for j in 0..<size { ys[j] = Float((Double(xs[j]) - mean) * inverse) * scale[j] }
            default:
                // Broadcast Scale or B: look each position up in the bind-time offset tables.
                for j in 0..<size {
                    let s = scale[scaleOffsets?[j] ?? j]
                    let b = bias.map { $0[biasOffsets?[j] ?? j] } ?? 0
                    ys[j] = Float((Double(xs[j]) - mean) * inverse) * s + b
                }
            }
        }
    }
}

extension BoundNode {
    /// Input `input` [N, C, spatial…] as (N, C, Πspatial), with the inputs in `perChannel`
    /// checked to be [C]: the layout of BatchNormalization and its training kernels.
    func channelLayout(
        of input: Int, perChannel: ClosedRange<Int>
    ) throws(RuntimeError) -> (batches: Int, channels: Int, spatial: Int) {
        let shape = self.shape(input)
        guard shape.count >= 2 else { throw error("X must be [N,C,...], got \(shape)") }
        for index in perChannel where self.shape(index) != [shape[1]] {
            throw error("input \(index) must be [\(shape[1])], got \(self.shape(index))")
        }
        return (shape[0], shape[1], shape.dropFirst(2).reduce(1, *))
    }
}
