import Foundation
import ModelCompiler

/// ActivationGrad: dX = dY · f′(X) for the pointwise op named by `activation` (its function
/// and attributes read as the forward kernel reads them, `Pointwise`), using X or Y = f(X),
/// whichever gives the derivative most directly.
struct ActivationGradKernel: Kernel {
    let derivative: Pointwise
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let attributes = node.attributes
        let name = attributes.string("activation", default: "")
        if name == "Clip" {
            derivative = .clip(
                min: attributes.float("min", default: -.infinity), max: attributes.float("max", default: .infinity))
        } else if let op = OpType(rawValue: name), let function = Pointwise(op: op, attributes: attributes) {
            derivative = function
        } else {
            throw node.error("no derivative for activation '\(name)'")
        }
        count = node.shape(1).reduce(1, *)
        guard node.shape(0).reduce(1, *) == count, node.shape(2).reduce(1, *) == count else {
            throw node.error("dY \(node.shape(0)), X \(node.shape(1)) and Y \(node.shape(2)) must have one shape")
        }
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let x = io.floats(1)
        let y = io.floats(2)
        let dx = io.outputFloats(0)
        switch derivative {
        case .relu:
            // Branch-free on 16 lanes: the sign of x is data, and a branch per element mispredicts.
            typealias Lanes = SIMD16<Float>
            var i = 0
            while i + Lanes.scalarCount <= count {
                let xs = UnsafeRawPointer(x + i).loadUnaligned(as: Lanes.self)
                let gradients = UnsafeRawPointer(dy + i).loadUnaligned(as: Lanes.self)
                UnsafeMutableRawPointer(dx + i).storeBytes(
                    of: gradients.replacing(with: 0, where: xs .<= 0), as: Lanes.self)
                i += Lanes.scalarCount
            }
            while i < count {
                dx[i] = x[i] <= 0 ? 0 : dy[i]  // as the vector lanes: NaN inputs pass dY through
                i += 1
            }
        case .sigmoid: for i in 0..<count { dx[i] = dy[i] * y[i] * (1 - y[i]) }
        case .tanh: for i in 0..<count { dx[i] = dy[i] * (1 - y[i] * y[i]) }
        case .exp: for i in 0..<count { dx[i] = dy[i] * y[i] }
        case .log: for i in 0..<count { dx[i] = dy[i] / x[i] }
        case .sqrt: for i in 0..<count { dx[i] = dy[i] / (2 * y[i]) }
        case .abs: for i in 0..<count { dx[i] = x[i] > 0 ? dy[i] : (x[i] < 0 ? -dy[i] : 0) }
        case .softplus: for i in 0..<count { dx[i] = dy[i] * Pointwise.sigmoid(x[i]) }
        case .leakyRelu(let alpha): for i in 0..<count { dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i] }
        case .clip(let low, let high): for i in 0..<count { dx[i] = x[i] >= low && x[i] <= high ? dy[i] : 0 }
        case .elu(let alpha): for i in 0..<count { dx[i] = x[i] > 0 ? dy[i] : dy[i] * (y[i] + alpha) }
        case .selu(let alpha, let gamma):
            for i in 0..<count { dx[i] = x[i] > 0 ? dy[i] * gamma : dy[i] * (y[i] + gamma * alpha) }
        case .identity: dx.update(from: dy, count: count)
        case .erf:
            // d/dx erf(x) = 2/sqrt(pi) * e^(-x^2).
            let twoOverRootPi: Float = 1.1283791670955126
            for i in 0..<count { dx[i] = dy[i] * twoOverRootPi * Foundation.exp(-x[i] * x[i]) }
        case .reciprocal: for i in 0..<count { dx[i] = -dy[i] * y[i] * y[i] }
        case .hardSigmoid(let alpha, let beta):
            // Slope alpha where 0 < alpha*x + beta < 1 (open: the kinks take the flat side, as PyTorch).
            for i in 0..<count {
                let v = alpha * x[i] + beta
                dx[i] = v > 0 && v < 1 ? dy[i] * alpha : 0
            }
        case .hardSwish:
            // y = x*h(x), h = clamp01(x/6 + 1/2): y' = h(x) + x/6 inside (-3, 3), 0 below, 1 above.
            for i in 0..<count {
                let v = x[i]
                dx[i] = v <= -3 ? 0 : (v >= 3 ? dy[i] : dy[i] * (v / 3 + 0.5))
            }
        // Piecewise constant: zero derivative (no gradient rule routes training through these).
        case .sign, .floor, .ceil, .round: dx.update(repeating: 0, count: count)
        case .neg: for i in 0..<count { dx[i] = -dy[i] }
        case .swish:
            // y = x·σ(x): y′ = σ(x)·(1 + x·(1 − σ(x))).
            for i in 0..<count {
                let s = Pointwise.sigmoid(x[i])
                dx[i] = dy[i] * s * (1 + x[i] * (1 - s))
            }
        case .gelu(let approximate):
            if approximate {
                // y = ½x(1 + tanh u), u = c(x + 0.044715x³): y′ = ½(1 + tanh u) + ½x(1 − tanh²u)·c(1 + 3·0.044715x²).
                let c = Float((2 / Double.pi).squareRoot())
                for i in 0..<count {
                    let v = x[i]
                    let th = Foundation.tanh(c * (v + 0.044715 * v * v * v))
                    dx[i] = dy[i] * (0.5 * (1 + th) + 0.5 * v * (1 - th * th) * c * (1 + 3 * 0.044715 * v * v))
                }
            } else {
                // y = xΦ(x): y′ = Φ(x) + x·φ(x).
                let inverseRootTwoPi: Float = 0.3989422804014327
                for i in 0..<count {
                    let v = x[i]
                    let cdf = 0.5 * (1 + Foundation.erf(v * 0.70710678118654752))
                    dx[i] = dy[i] * (cdf + v * inverseRootTwoPi * Foundation.exp(-0.5 * v * v))
                }
            }
        }
    }
}

/// SoftmaxGrad: for Y = softmax(X), dX = Y·(dY − Σ dY·Y); for Y = log_softmax(X),
/// dX = dY − e^Y·Σ dY (sums along the axis).
struct SoftmaxGradKernel: Kernel {
    let outer: Int
    let extent: Int
    let inner: Int
    let logarithm: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let shape = node.shape(1)
        guard node.shape(0) == shape else { throw node.error("dY \(node.shape(0)) must match Y \(shape)") }
        // dY has Y's shape, so the axis is resolved against input 0 as the forward kernel does.
        (outer, extent, inner) = sizes(of: shape, around: try node.axis(default: -1, allowScalar: true))
        logarithm = try node.flag("log", default: false)
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let y = io.floats(1)
        let dx = io.outputFloats(0)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * extent * inner + i
                var sum: Float = 0
                if logarithm {
                    for k in 0..<extent { sum += dy[base + k * inner] }
                    for k in 0..<extent {
                        let e = base + k * inner
                        dx[e] = dy[e] - Foundation.exp(y[e]) * sum
                    }
                } else {
                    for k in 0..<extent { sum += dy[base + k * inner] * y[base + k * inner] }
                    for k in 0..<extent {
                        let e = base + k * inner
                        dx[e] = y[e] * (dy[e] - sum)
                    }
                }
            }
        }
    }
}

/// Maps each element of a larger shape to the element of a smaller one that broadcasting
/// (numpy rules, leading axes padded with 1) paired it with.
struct BroadcastMap: Sendable {
    let large: [Int]
    /// Strides into the small tensor per large axis; 0 along broadcast axes.
    let smallStrides: [Int]
    let largeCount: Int
    let smallCount: Int

    init?(large: [Int], small: [Int]) {
        guard small.count <= large.count else { return nil }
        let padded = Array(repeating: 1, count: large.count - small.count) + small
        guard zip(padded, large).allSatisfy({ $0 == $1 || $0 == 1 }) else { return nil }
        self.large = large
        smallStrides = BinaryKernel.broadcastStrides(small, to: large)
        largeCount = large.reduce(1, *)
        smallCount = small.reduce(1, *)
    }

    /// Calls `body(largeIndex, smallIndex)` for every element of the large shape, in order.
    @inline(__always)
    func forEach(_ body: (Int, Int) -> Void) {
        guard largeCount > 0 else { return }
        if largeCount == smallCount {
            for i in 0..<largeCount { body(i, i) }
            return
        }
        let lastExtent = large.last ?? 1
        let lastStride = smallStrides.last ?? 0
        forEachRow(extents: large, stridesA: smallStrides) { row, small, _ in
            let index = row * lastExtent
            for k in 0..<lastExtent { body(index + k, small + k * lastStride) }
        }
    }
}

/// SumToShape: Y (shaped like `like`) = scale · dY summed over the axes broadcasting added.
struct SumToShapeKernel: Kernel {
    let map: BroadcastMap
    let scale: Float

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs([0])
        guard let map = BroadcastMap(large: node.shape(0), small: node.outputShapes[0]) else {
            throw node.error("\(node.outputShapes[0]) does not broadcast to dY \(node.shape(0))")
        }
        self.map = map
        scale = node.attributes.float("scale", default: 1)
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let y = io.outputFloats(0)
        y.initialize(repeating: 0, count: map.smallCount)
        map.forEach { large, small in y[small] += dy[large] }
        if scale != 1 { for i in 0..<map.smallCount { y[i] *= scale } }
    }
}

/// BroadcastLike: Y (shaped like `like`) = dY broadcast, with size-1 axes first inserted at
/// `axes` (a ReduceSum/ReduceMean with keepdims = 0), divided by |Y|/|dY| when `mean`.
struct BroadcastLikeKernel: Kernel {
    let map: BroadcastMap
    let scale: Float

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs([0])
        var small = node.shape(0)
        let large = node.outputShapes[0]
        if let axes = node.attributes.ints("axes") {
            for axis in axes.sorted() where axis >= 0 && axis <= small.count { small.insert(1, at: axis) }
        }
        guard small.count == large.count, let map = BroadcastMap(large: large, small: small) else {
            throw node.error("dY \(node.shape(0)) does not broadcast to \(large)")
        }
        self.map = map
        scale = try node.flag("mean", default: false) ? Float(map.smallCount) / Float(max(map.largeCount, 1)) : 1
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let y = io.outputFloats(0)
        map.forEach { large, small in y[large] = dy[small] * scale }
    }
}

/// DropoutMask: 0 with probability `ratio`, else 1/(1 − ratio), one SplitMix64 draw per
/// element from the node's seed mixed with the step number in H[1], so every step draws a new
/// mask and a rerun with the same seed draws the same ones.
struct DropoutMaskKernel: Kernel {
    let count: Int
    let ratio: Float
    let seed: UInt64

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs([1])
        count = node.outputShapes[0].reduce(1, *)
        ratio = node.attributes.float("ratio", default: 0.5)
        seed = UInt64(bitPattern: Int64(node.attributes.int("seed", default: 0)))
        guard ratio >= 0 && ratio < 1 else { throw node.error("ratio \(ratio) must be in [0, 1)") }
    }

    func run(_ io: KernelIO) {
        let step = UInt64(max(0, io.floats(1)[1]))
        // The step goes through the generator's mixing first: seeding with seed + step·γ (γ the
        // generator's own increment) would give each step the previous step's stream moved by
        // one draw, so masks would merely shift.
        var stepMixer = SplitMix64(seed: step)
        var generator = SplitMix64(seed: seed ^ stepMixer.next())
        let keep = 1 / (1 - ratio)
        let mask = io.outputFloats(0)
        for i in 0..<count {
            let unit = Float(generator.next() >> 40) * 0x1.0p-24
            mask[i] = unit < ratio ? 0 : keep
        }
    }
}

/// GatherGrad: the gradient of Gather along `axis`: zeros shaped like the data, then each
/// slice of dY added at the data slice its index picked (indices repeated add up; negative
/// indices count from the end; out-of-range ones, which Gather filled with NaN, add nothing).
struct GatherGradKernel: Kernel {
    let outer: Int
    let extent: Int
    let inner: Int
    let indexCount: Int
    let indicesAreInt32: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs([0])
        let data = node.outputShapes[0]
        let given = node.attributes.int("axis", default: 0)
        let axis = given < 0 ? given + data.count : given
        guard axis >= 0 && axis < data.count else { throw node.error("axis \(given) is out of range for \(data)") }
        (outer, extent, inner) = sizes(of: data, around: axis)
        indexCount = node.shape(1).reduce(1, *)
        let type = node.inputTypes.count > 1 ? node.inputTypes[1] : nil
        guard type == .int64 || type == .int32 else { throw node.error("indices must be int64 or int32") }
        indicesAreInt32 = type == .int32
        guard node.shape(0).reduce(1, *) == outer * indexCount * inner else {
            throw node.error("dY \(node.shape(0)) does not match \(indexCount) indices into \(data)")
        }
    }

    func run(_ io: KernelIO) {
        guard let indices = io.input(1) else { return }
        let dy = io.floats(0)
        let dx = io.outputFloats(0)
        dx.initialize(repeating: 0, count: outer * extent * inner)
        var source = dy
        for o in 0..<outer {
            let block = dx + o * extent * inner
            for j in 0..<indexCount {
                var index = loadIndex(indices, j, int32: indicesAreInt32)
                if index < 0 { index += extent }
                if index >= 0 && index < extent {
                    let row = block + index * inner
                    for k in 0..<inner { row[k] += source[k] }
                }
                source += inner
            }
        }
    }
}

/// LayerNormalizationGrad: with x̂ = (x − μ)/σ over the normalised axes (σ = √(var + ε)) and
/// g = dY·Scale per row: dX = (g − mean(g) − x̂·mean(g·x̂))/σ, dScale = Σ_rows dY·x̂,
/// dB = Σ_rows dY. Scale must have the normalised shape; sums in Double.
struct LayerNormalizationGradKernel: Kernel {
    let rows: Int
    let size: Int
    let epsilon: Double
    /// Two Double sums per normalised position (dScale, dB).
    let scratchByteCount: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let shape = node.shape(1)
        guard node.shape(0) == shape else { throw node.error("dY \(node.shape(0)) must match X \(shape)") }
        // dY has X's shape, so the axis is resolved against input 0.
        let axis = try node.axis(default: -1, allowScalar: true)
        rows = shape[..<axis].reduce(1, *)
        size = shape[axis...].reduce(1, *)
        epsilon = Double(node.attributes.float("epsilon", default: 1e-5))
        scratchByteCount = 2 * max(size, 1) * MemoryLayout<Double>.stride
        guard node.shape(2).reduce(1, *) == size else {
            throw node.error(
                "training needs Scale shaped as the normalised axes \(Array(shape[axis...])), got \(node.shape(2))")
        }
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let x = io.floats(1)
        let scale = io.floats(2)
        let dx = io.output(0)?.assumingMemoryBound(to: Float.self)
        let dScale = io.output(1)?.assumingMemoryBound(to: Float.self)
        let dBias = io.output(2)?.assumingMemoryBound(to: Float.self)
        let count = Double(size)
        // Per-position sums over rows in Double, in the kernel's arena scratch.
        guard let scratch = io.scratch else { return }
        let sums = scratch.assumingMemoryBound(to: Double.self)
        sums.initialize(repeating: 0, count: 2 * size)
        for row in 0..<rows {
            let base = row * size
            var mean = 0.0
            for k in 0..<size { mean += Double(x[base + k]) }
            mean /= count
            var variance = 0.0
            for k in 0..<size {
                let d = Double(x[base + k]) - mean
                variance += d * d
            }
            variance /= count
            let inverse = 1 / (variance + epsilon).squareRoot()
            var meanG = 0.0
            var meanGX = 0.0
            for k in 0..<size {
                let normalized = (Double(x[base + k]) - mean) * inverse
                let g = Double(dy[base + k]) * Double(scale[k])
                meanG += g
                meanGX += g * normalized
                sums[k] += Double(dy[base + k]) * normalized
                sums[size + k] += Double(dy[base + k])
            }
            meanG /= count
            meanGX /= count
            if let dx {
                for k in 0..<size {
                    let normalized = (Double(x[base + k]) - mean) * inverse
                    let g = Double(dy[base + k]) * Double(scale[k])
                    dx[base + k] = Float((g - meanG - normalized * meanGX) * inverse)
                }
            }
        }
        for k in 0..<size {
            dScale?[k] = Float(sums[k])
            dBias?[k] = Float(sums[size + k])
        }
    }
}

/// BatchNormalizationTrain: per channel c over the m = N·spatial elements, μ = mean, σ² =
/// biased variance, Y = (X − μ)/√(σ² + ε)·scale + B; outputs the batch μ and 1/σ for the
/// gradient, and running = momentum·running + (1 − momentum)·batch statistic for mean and
/// variance (ONNX BatchNormalization-15 in training mode), written in place. Sums in Double.
struct BatchNormalizationTrainKernel: Kernel {
    let batches: Int
    let channels: Int
    let spatial: Int
    let epsilon: Double
    let momentum: Float

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        (batches, channels, spatial) = try node.channelLayout(of: 0, perChannel: 1...4)
        epsilon = Double(node.attributes.float("epsilon", default: 1e-5))
        momentum = node.attributes.float("momentum", default: 0.9)
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        let scale = io.floats(1)
        let bias = io.floats(2)
        let runningMeanIn = io.floats(3)
        let runningVarIn = io.floats(4)
        let y = io.outputFloats(0)
        let savedMean = io.outputFloats(1)
        let savedInverse = io.outputFloats(2)
        let runningMean = io.outputFloats(3)
        let runningVar = io.outputFloats(4)
        let m = Double(batches * spatial)
        guard m > 0 else {
            // No elements: nothing to normalise, and no batch statistics to fold in.
            for c in 0..<channels {
                savedMean[c] = 0
                savedInverse[c] = 1
                runningMean[c] = runningMeanIn[c]
                runningVar[c] = runningVarIn[c]
            }
            return
        }
        for c in 0..<channels {
            var sum = 0.0
            for n in 0..<batches {
                let base = (n * channels + c) * spatial
                for s in base..<(base + spatial) { sum += Double(x[s]) }
            }
            let mean = sum / m
            var squares = 0.0
            for n in 0..<batches {
                let base = (n * channels + c) * spatial
                for s in base..<(base + spatial) {
                    let d = Double(x[s]) - mean
                    squares += d * d
                }
            }
            let variance = squares / m
            let inverse = 1 / (variance + epsilon).squareRoot()
            let a = Float(inverse) * scale[c]
            let b = bias[c]
            let mu = Float(mean)
            for n in 0..<batches {
                let base = (n * channels + c) * spatial
                for s in base..<(base + spatial) { y[s] = (x[s] - mu) * a + b }
            }
            savedMean[c] = mu
            savedInverse[c] = Float(inverse)
            runningMean[c] = momentum * runningMeanIn[c] + (1 - momentum) * mu
            runningVar[c] = momentum * runningVarIn[c] + (1 - momentum) * Float(variance)
        }
    }
}

/// BatchNormalizationTrainGrad: per channel with x̂ = (x − μ)·(1/σ) over m elements:
/// dB = Σ dY, dScale = Σ dY·x̂, dX = scale·(1/σ)/m · (m·dY − dB − x̂·dScale).
struct BatchNormalizationTrainGradKernel: Kernel {
    let batches: Int
    let channels: Int
    let spatial: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        guard node.shape(0) == node.shape(1) else {
            throw node.error("dY \(node.shape(0)) must match X \(node.shape(1))")
        }
        (batches, channels, spatial) = try node.channelLayout(of: 1, perChannel: 2...4)
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let x = io.floats(1)
        let scale = io.floats(2)
        let mean = io.floats(3)
        let inverse = io.floats(4)
        let dx = io.output(0)?.assumingMemoryBound(to: Float.self)
        let dScale = io.output(1)?.assumingMemoryBound(to: Float.self)
        let dBias = io.output(2)?.assumingMemoryBound(to: Float.self)
        let m = Double(batches * spatial)
        for c in 0..<channels {
            let (mu, inv) = (mean[c], Double(inverse[c]))
            var sumDy = 0.0
            var sumDyX = 0.0
            for n in 0..<batches {
                let base = (n * channels + c) * spatial
                for s in base..<(base + spatial) {
                    sumDy += Double(dy[s])
                    sumDyX += Double(dy[s]) * Double(x[s] - mu) * inv
                }
            }
            dBias?[c] = Float(sumDy)
            dScale?[c] = Float(sumDyX)
            guard let dx else { continue }
            let factor = Double(scale[c]) * inv / m
            for n in 0..<batches {
                let base = (n * channels + c) * spatial
                for s in base..<(base + spatial) {
                    let normalized = Double(x[s] - mu) * inv
                    dx[s] = Float(factor * (m * Double(dy[s]) - sumDy - normalized * sumDyX))
                }
            }
        }
    }
}

/// BatchNormalizationGrad (inference form, statistics fixed): with a = 1/√(var + ε) per
/// channel, dX = dY·scale·a, dScale = Σ dY·(x − mean)·a, dB = Σ dY. Sums in Double.
struct BatchNormalizationGradKernel: Kernel {
    let batches: Int
    let channels: Int
    let spatial: Int
    let epsilon: Float

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        guard node.shape(0) == node.shape(1) else {
            throw node.error("dY \(node.shape(0)) must match X \(node.shape(1))")
        }
        (batches, channels, spatial) = try node.channelLayout(of: 1, perChannel: 2...4)
        epsilon = node.attributes.float("epsilon", default: 1e-5)
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let x = io.floats(1)
        let scale = io.floats(2)
        let mean = io.floats(3)
        let variance = io.floats(4)
        let dx = io.output(0)?.assumingMemoryBound(to: Float.self)
        let dScale = io.output(1)?.assumingMemoryBound(to: Float.self)
        let dBias = io.output(2)?.assumingMemoryBound(to: Float.self)
        for c in 0..<channels {
            let a = 1 / (variance[c] + epsilon).squareRoot()
            var sumDy = 0.0
            var sumDyX = 0.0
            for n in 0..<batches {
                let base = (n * channels + c) * spatial
                for s in base..<(base + spatial) {
                    sumDy += Double(dy[s])
                    sumDyX += Double(dy[s]) * Double((x[s] - mean[c]) * a)
                    dx?[s] = dy[s] * scale[c] * a
                }
            }
            dBias?[c] = Float(sumDy)
            dScale?[c] = Float(sumDyX)
        }
    }
}
