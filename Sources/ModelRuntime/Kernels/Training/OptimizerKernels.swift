import Foundation
import ModelCompiler
import ModelFormat

/// GradientNormScale: S = min(1, max_norm / (‖G‖₂ + 1e-6)) over all gradients together
/// (PyTorch clip_grad_norm_), summed in Double.
struct GradientNormScaleKernel: Kernel {
    let counts: [Int]
    let maxNorm: Double

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        counts = node.inputShapes.map { ($0 ?? []).reduce(1, *) }
        maxNorm = Double(node.attributes.float("max_norm", default: 1))
        guard maxNorm > 0 else { throw node.error("max_norm must be positive, got \(maxNorm)") }
    }

    func run(_ io: KernelIO) {
        var squares = 0.0
        for (index, count) in counts.enumerated() {
            guard let raw = io.input(index) else { continue }
            let g = raw.assumingMemoryBound(to: Float.self)
            for i in 0..<count { squares += Double(g[i]) * Double(g[i]) }
        }
        io.outputFloats(0)[0] = Float(Swift.min(1, maxNorm / (squares.squareRoot() + 1e-6)))
    }
}

/// OptimizerStep: one torch.optim update of a parameter P and its state from gradient G.
/// H = [learning rate, step t (1-based)], C = the clip factor (1 without clipping). Outputs
/// are P and the state, updated; the planner places them on the inputs' buffers (in place),
/// and the kernel is also correct when they are separate. When the optional loss input L is
/// NaN or infinite the step is skipped (in place: everything stays as it was).
///
/// With g = C·G and, except for ADAMW, g += weight_decay·P first:
/// SGD P −= lr·g; MOMENTUM v = μv + g, P −= lr·v; NESTEROV v = μv + g, P −= lr·(g + μv);
/// ADAM m = β1·m + (1−β1)g, v = β2·v + (1−β2)g², P −= lr·(m/(1−β1ᵗ)) / (√(v/(1−β2ᵗ)) + ε);
/// ADAMW the same after P ·= 1 − lr·weight_decay; ADADELTA s = ρs + (1−ρ)g²,
/// Δ = √(a + ε)/√(s + ε)·g, a = ρa + (1−ρ)Δ², P −= lr·Δ; RMSPROP s = ρs + (1−ρ)g²,
/// d = √s + ε, then P −= lr·g/d, or with momentum b = μb + g/d, P −= lr·b; ADAGRAD
/// s += g², P −= lr·g/(√s + ε).
struct OptimizerStepKernel: Kernel {
    let kind: ProtoOptimizer.Kind
    let count: Int
    let momentum: Float
    let beta1: Float
    let beta2: Float
    let epsilon: Float
    let rho: Float
    let weightDecay: Float
    let stateCount: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let name = node.attributes.string("kind", default: "")
        guard let kind = ProtoOptimizer.Kind.allCases.first(where: { String(describing: $0) == name }) else {
            throw node.error("'\(name)' is not an optimizer kind")
        }
        self.kind = kind
        count = node.shape(0).reduce(1, *)
        guard node.shape(1).reduce(1, *) == count else {
            throw node.error("gradient \(node.shape(1)) does not match parameter \(node.shape(0))")
        }
        momentum = node.attributes.float("momentum", default: 0)
        beta1 = node.attributes.float("beta1", default: 0.9)
        beta2 = node.attributes.float("beta2", default: 0.999)
        epsilon = node.attributes.float("epsilon", default: 1e-8)
        rho = node.attributes.float("rho", default: 0.9)
        weightDecay = node.attributes.float("weight_decay", default: 0)
        stateCount = node.outputShapes.count - 1
        let needed: Int
        switch kind {
        case .sgd: needed = 0
        case .momentum, .nesterov, .adagrad: needed = 1
        case .adam, .adamw, .adadelta: needed = 2
        case .rmsprop: needed = momentum > 0 ? 2 : 1
        case .UNRECOGNIZED: needed = 0
        }
        guard stateCount == needed, (0..<needed).allSatisfy({ node.has(4 + $0) }) else {
            throw node.error("\(name) needs \(needed) state tensors, the node has \(stateCount)")
        }
    }

    func run(_ io: KernelIO) {
        if let loss = io.input(6)?.assumingMemoryBound(to: Float.self), !loss[0].isFinite { return }
        let hyper = io.floats(2)
        let lr = hyper[0]
        let step = hyper[1]
        let clip = io.input(3).map { $0.assumingMemoryBound(to: Float.self)[0] } ?? 1
        let gradient = io.floats(1)
        let parameterIn = io.floats(0)
        let parameter = io.outputFloats(0)
        func stateIn(_ k: Int) -> UnsafePointer<Float> { io.floats(4 + k) }
        func stateOut(_ k: Int) -> UnsafeMutablePointer<Float> { io.outputFloats(1 + k) }
        let decayed = kind != .adamw && weightDecay != 0
        switch kind {
        case .sgd:
            ParallelFor.run(count: count, threads: io.threads) { range in
                for i in range {
                    var g = clip * gradient[i]
                    if decayed { g += weightDecay * parameterIn[i] }
                    parameter[i] = parameterIn[i] - lr * g
                }
            }
        case .momentum, .nesterov:
            let (vIn, vOut) = (stateIn(0), stateOut(0))
            ParallelFor.run(count: count, threads: io.threads) { range in
                for i in range {
                    var g = clip * gradient[i]
                    if decayed { g += weightDecay * parameterIn[i] }
                    let v = momentum * vIn[i] + g
                    vOut[i] = v
                    parameter[i] = parameterIn[i] - lr * (kind == .nesterov ? g + momentum * v : v)
                }
            }
        case .adam, .adamw:
            let (mIn, mOut, vIn, vOut) = (stateIn(0), stateOut(0), stateIn(1), stateOut(1))
            let correction1 = 1 - Foundation.pow(beta1, step)
            let correction2 = 1 - Foundation.pow(beta2, step)
            let rule = AdamRule(
                stepSize: lr / correction1, inverseRootCorrection2: 1 / correction2.squareRoot(), beta1: beta1,
                beta2: beta2, epsilon: epsilon, clip: clip,
                decay: kind == .adamw ? 1 - lr * weightDecay : 1, l2: kind == .adamw ? 0 : weightDecay)
            ParallelFor.run(count: count, threads: io.threads) { range in
                rule.apply(
                    range, p: parameterIn, g: gradient, m: mIn, v: vIn, pOut: parameter, mOut: mOut, vOut: vOut)
            }
        case .adadelta:
            let (sIn, sOut, aIn, aOut) = (stateIn(0), stateOut(0), stateIn(1), stateOut(1))
            for i in 0..<count {
                var g = clip * gradient[i]
                if decayed { g += weightDecay * parameterIn[i] }
                let s = rho * sIn[i] + (1 - rho) * g * g
                let delta = (aIn[i] + epsilon).squareRoot() / (s + epsilon).squareRoot() * g
                sOut[i] = s
                aOut[i] = rho * aIn[i] + (1 - rho) * delta * delta
                parameter[i] = parameterIn[i] - lr * delta
            }
        case .rmsprop:
            let (sIn, sOut) = (stateIn(0), stateOut(0))
            let (bIn, bOut) = momentum > 0 ? (stateIn(1), stateOut(1)) : (sIn, sOut)  // the buffer, when there is one
            for i in 0..<count {
                var g = clip * gradient[i]
                if decayed { g += weightDecay * parameterIn[i] }
                let s = rho * sIn[i] + (1 - rho) * g * g
                sOut[i] = s
                let denominator = s.squareRoot() + epsilon
                if momentum > 0 {
                    let b = momentum * bIn[i] + g / denominator
                    bOut[i] = b
                    parameter[i] = parameterIn[i] - lr * b
                } else {
                    parameter[i] = parameterIn[i] - lr * g / denominator
                }
            }
        case .adagrad:
            let (sIn, sOut) = (stateIn(0), stateOut(0))
            for i in 0..<count {
                var g = clip * gradient[i]
                if decayed { g += weightDecay * parameterIn[i] }
                let s = sIn[i] + g * g
                sOut[i] = s
                parameter[i] = parameterIn[i] - lr * g / (s.squareRoot() + epsilon)
            }
        case .UNRECOGNIZED:
            break
        }
    }
}

/// The Adam/AdamW element update, vectorised over 16 lanes:
/// p ·= decay; g = clip·G + l2·p; m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²;
/// p −= stepSize·m / (√v·inverseRootCorrection2 + ε). (AdamW: decay = 1 − lr·wd, l2 = 0;
/// Adam: decay = 1, l2 = wd.)
struct AdamRule {
    let stepSize: Float
    let inverseRootCorrection2: Float
    let beta1: Float
    let beta2: Float
    let epsilon: Float
    let clip: Float
    let decay: Float
    let l2: Float

    func apply(
        _ range: Range<Int>, p: UnsafePointer<Float>, g: UnsafePointer<Float>, m: UnsafePointer<Float>,
        v: UnsafePointer<Float>, pOut: UnsafeMutablePointer<Float>, mOut: UnsafeMutablePointer<Float>,
        vOut: UnsafeMutablePointer<Float>
    ) {
        typealias Lanes = SIMD16<Float>
        let width = Lanes.scalarCount
        var i = range.lowerBound
        func load(_ pointer: UnsafePointer<Float>, _ index: Int) -> Lanes {
            UnsafeRawPointer(pointer + index).loadUnaligned(as: Lanes.self)
        }
        func store(_ value: Lanes, _ pointer: UnsafeMutablePointer<Float>, _ index: Int) {
            UnsafeMutableRawPointer(pointer + index).storeBytes(of: value, as: Lanes.self)
        }
        while i + width <= range.upperBound {
            let parameter = load(p, i) * decay
            let gradient = load(g, i) * clip + parameter * l2
            let first = load(m, i) * beta1 + gradient * (1 - beta1)
            let second = load(v, i) * beta2 + gradient * gradient * (1 - beta2)
            store(first, mOut, i)
            store(second, vOut, i)
            store(parameter - stepSize * first / (second.squareRoot() * inverseRootCorrection2 + epsilon), pOut, i)
            i += width
        }
        while i < range.upperBound {
            let parameter = p[i] * decay
            let gradient = g[i] * clip + parameter * l2
            let first = m[i] * beta1 + gradient * (1 - beta1)
            let second = v[i] * beta2 + gradient * gradient * (1 - beta2)
            mOut[i] = first
            vOut[i] = second
            pOut[i] = parameter - stepSize * first / (second.squareRoot() * inverseRootCorrection2 + epsilon)
            i += 1
        }
    }
}
