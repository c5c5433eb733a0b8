import Foundation
import ModelCompiler
import ModelFormat

/// The loss of a head (DESIGN §3's table) and its gradient, shared by `HeadLoss` and
/// `HeadLossGrad`. Computed in stable forms: log-softmax through the maximum and log-sum-exp,
/// BCE with logits as (1−t)·x + (1+(p−1)·t)·softplus(−x), probabilities clipped by ε.
///
/// Layout: x is `[N, W, inner]` (W = axis 1, inner = Π d1..dk). A *term* is an element of x
/// (elementwise losses) or a position (n, i) (class-index and row losses). Each term l has a
/// sample weight w_n (1 without `sample_weight`) and a denominator weight c (the class weight
/// of its target for class-index losses, else 1); ignored targets are no term at all.
/// Reductions: NONE keeps w·l per term; SUM is Σ w·l; MEAN is Σ w·l / D with D the element
/// count (elementwise), Σ c (class index: PyTorch's weighted mean), the position count (rows)
/// or N (KL divergence, "batchmean"); MEAN_OVER_WEIGHTS divides by Σ w·c and
/// SUM_OVER_NONZERO_WEIGHTS by #(w·c ≠ 0). Softmax cross-entropy on class indices with label
/// smoothing ε follows PyTorch: (1−ε)·NLL + (ε/C)·(−Σ_c c_c·log p_c), the second part divided
/// by Σ c with class weights and by the count of all positions without them.
/// Sums run in Double.
struct LossEvaluator: Sendable {
    /// Class weights for one evaluation: the node's `class_weight` attribute, or a weights
    /// input given at run time (ONNX SoftmaxCrossEntropyLoss / NegativeLogLikelihoodLoss).
    struct Weights {
        let pointer: UnsafePointer<Float>?
        var isSet: Bool { pointer != nil }
        @inline(__always) func callAsFunction(_ c: Int) -> Double { pointer.map { Double($0[c]) } ?? 1 }
    }

    let settings: LossAttributes
    /// `settings.family`, a switch over kind and form, decided once (the loops read it).
    let family: LossAttributes.Family
    let batch: Int
    let width: Int
    let inner: Int
    let classWeight: [Float]
    let posWeight: [Float]
    /// Class indices stored as INT32 (ONNX allows them for its loss ops); INT64 otherwise.
    var labelsAreInt32 = false

    /// The evaluator of a HeadLoss/HeadLossGrad node, whose settings are its attributes.
    init(node: BoundNode, xPosition: Int) throws(RuntimeError) {
        let settings: LossAttributes
        do {
            settings = try LossAttributes(node.attributes, hasSampleWeight: node.has(xPosition + 2))
        } catch {
            throw node.error(error.message)
        }
        try self.init(node: node, settings: settings, xPosition: xPosition)
    }

    /// An evaluator with `settings`, bound to the shapes of `node`'s inputs from `xPosition`
    /// (x, then the target, then the sample weights when `settings` has them).
    init(node: BoundNode, settings: LossAttributes, xPosition: Int) throws(RuntimeError) {
        self.settings = settings
        family = settings.family
        try node.requireFloatInputs([xPosition])
        let x = node.shape(xPosition)
        guard !x.isEmpty else { throw node.error("X must have a sample axis, got \(x)") }
        batch = x[0]
        width = x.count > 1 ? x[1] : 1
        inner = x.dropFirst(2).reduce(1, *)
        let target = node.shape(xPosition + 1)
        let expected = family == .classIndex ? [batch] + Array(x.dropFirst(2)) : x
        guard target.reduce(1, *) == expected.reduce(1, *), target.first == batch else {
            throw node.error("target \(target) does not fit output \(x) (expected \(expected))")
        }
        if family == .classIndex {
            let type = node.inputTypes[xPosition + 1]
            guard type == .int64 || type == .int32 else {
                throw node.error("class-index targets must be int64 or int32, got \(type.map { "\($0)" } ?? "none")")
            }
            labelsAreInt32 = type == .int32
        }
        if family != .classIndex { try node.requireFloatInputs([xPosition + 1]) }
        if settings.hasSampleWeight && node.shape(xPosition + 2).reduce(1, *) != batch {
            throw node.error("sample_weight \(node.shape(xPosition + 2)) must have one weight per sample (\(batch))")
        }
        classWeight = settings.classWeight
        posWeight = settings.posWeight
        for (name, list) in [("class_weight", classWeight), ("pos_weight", posWeight)]
        where !list.isEmpty && list.count != width {
            throw node.error("\(name) has \(list.count) entries for \(width) classes")
        }
    }

    /// Terms per sample: elements (elementwise) or positions.
    var termCount: Int { family == .elementwise ? batch * width * inner : batch * inner }

    private func sampleWeight(_ w: UnsafePointer<Float>?, _ n: Int) -> Double { w.map { Double($0[n]) } ?? 1 }
    private func classIndex(_ t: UnsafeRawPointer, _ position: Int) -> Int64 {
        Int64(loadIndex(t, position, int32: labelsAreInt32))
    }
    private func isIgnored(_ label: Int64) -> Bool { label == settings.ignoreIndex }

    /// The denominators (D for the loss, D2 for the label-smoothing part) of a reduced loss.
    func denominators(_ t: UnsafeRawPointer, _ w: UnsafePointer<Float>?, _ cw: Weights) -> (Double, Double) {
        let positions = batch * inner
        switch settings.reduction {
        case .sum, .none, .UNRECOGNIZED: return (1, 1)
        case .mean:
            switch family {
            case .elementwise: return (Double(termCount), Double(termCount))
            case .row:
                let d = settings.kind == .klDivergence ? Double(batch) : Double(positions)
                return (d, d)
            case .classIndex:
                var total = 0.0
                for p in 0..<positions {
                    let label = classIndex(t, p)
                    if isIgnored(label) { continue }
                    total += label >= 0 && Int(label) < width ? cw(Int(label)) : 1
                }
                return (total, cw.isSet ? total : Double(positions))
            }
        case .meanOverWeights, .sumOverNonzeroWeights:
            let counting = settings.reduction == .sumOverNonzeroWeights
            var total = 0.0
            let perSample = family == .elementwise ? width * inner : inner
            for n in 0..<batch {
                let wn = sampleWeight(w, n)
                for i in 0..<perSample {
                    var c = 1.0
                    if family == .classIndex {
                        let label = classIndex(t, n * inner + i)
                        if isIgnored(label) { continue }
                        if cw.isSet, label >= 0, Int(label) < width { c = cw(Int(label)) }
                    }
                    total += counting ? (wn * c != 0 ? 1 : 0) : wn * c
                }
            }
            return (total, total)
        }
    }

    /// Bytes of kernel scratch an evaluation needs: one row of log-probabilities in Double
    /// (the kernels reserve it in the arena, so a run allocates nothing).
    var scratchByteCount: Int { Swift.max(width, 1) * MemoryLayout<Double>.stride }

    /// Computes the loss into `loss` (a scalar, or per term for NONE) and/or the gradient into
    /// `grad` (like x), the latter scaled by `upstream` (a scalar, or per term for NONE).
    /// `scratch` holds `scratchByteCount` bytes.
    func evaluate(
        x: UnsafePointer<Float>, t: UnsafeRawPointer, w: UnsafePointer<Float>?, upstream: UnsafePointer<Float>?,
        loss: UnsafeMutablePointer<Float>?, grad: UnsafeMutablePointer<Float>?,
        classWeights: UnsafePointer<Float>? = nil,
        scratch: UnsafeMutableRawPointer
    ) {
        classWeight.withUnsafeBufferPointer { attribute in
            let cw = Weights(pointer: classWeights ?? (classWeight.isEmpty ? nil : attribute.baseAddress))
            evaluate(
                x: x, t: t, w: w, upstream: upstream, loss: loss, grad: grad, cw,
                scratch: scratch.assumingMemoryBound(to: Double.self))
        }
    }

    /// Writes log_softmax of x along axis 1 for every position (ONNX's `log_prob` output).
    func writeLogSoftmax(
        _ x: UnsafePointer<Float>, into output: UnsafeMutablePointer<Float>, scratch: UnsafeMutableRawPointer
    ) {
        let logp = scratch.assumingMemoryBound(to: Double.self)
        for n in 0..<batch {
            for i in 0..<inner {
                logSoftmax(x, n: n, i: i, into: logp)
                for c in 0..<width { output[(n * width + c) * inner + i] = Float(logp[c]) }
            }
        }
    }

    private func evaluate(
        x: UnsafePointer<Float>, t: UnsafeRawPointer, w: UnsafePointer<Float>?, upstream: UnsafePointer<Float>?,
        loss: UnsafeMutablePointer<Float>?, grad: UnsafeMutablePointer<Float>?, _ cw: Weights,
        scratch: UnsafeMutablePointer<Double>
    ) {
        let (d1, d2) = denominators(t, w, cw)
        let perTerm = settings.reduction == .none
        if let grad { grad.initialize(repeating: 0, count: batch * width * inner) }
        var total = 0.0
        // Scales of a term's two parts in the reduced loss (and of its gradient).
        // A batch whose weights are all zero has nothing to learn from: loss and gradient 0 for
        // the weighted reductions (TensorFlow's div_no_nan), rather than 0/0.
        let isWeightedReduction = settings.reduction == .meanOverWeights || settings.reduction == .sumOverNonzeroWeights
        let empty = isWeightedReduction && d1 == 0
        func scales(_ n: Int) -> (Double, Double) {
            let wn = sampleWeight(w, n)
            if perTerm { return (wn, wn) }
            if empty { return (0, 0) }
            return (wn / d1, wn / d2)
        }
        func upstreamValue(_ term: Int) -> Double {
            guard let upstream else { return 1 }
            return Double(perTerm ? upstream[term] : upstream[0])
        }
        switch family {
        case .elementwise:
            for n in 0..<batch {
                let (s, _) = scales(n)
                for c in 0..<width {
                    for i in 0..<inner {
                        let e = (n * width + c) * inner + i
                        let (value, derivative) = elementwise(
                            Double(x[e]), Double(t.load(fromByteOffset: e * 4, as: Float.self)), c, cw)
                        if perTerm { loss?[e] = Float(s * value) }
                        total += s * value
                        grad?[e] = Float(s * derivative * upstreamValue(e))
                    }
                }
            }
        case .classIndex, .row:
            for n in 0..<batch {
                let (s1, s2) = scales(n)
                for i in 0..<inner {
                    let p = n * inner + i
                    let g = upstreamValue(p)
                    let value =
                        family == .classIndex
                        ? classTerm(x, t, n: n, i: i, s1: s1 * g, s2: s2 * g, grad: grad, cw, scratch: scratch)
                        : rowTerm(
                            x, t.assumingMemoryBound(to: Float.self), n: n, i: i, scale: s1 * g, grad: grad, cw,
                            scratch: scratch)
                    let weighted = s1 * value.0 + s2 * value.1
                    if perTerm { loss?[p] = Float(weighted) }
                    total += weighted
                }
            }
        }
        if !perTerm { loss?[0] = Float(total) }
    }

    /// One element's loss and d(loss)/dx.
    private func elementwise(_ x: Double, _ t: Double, _ c: Int, _ cw: Weights) -> (Double, Double) {
        let d = x - t
        switch settings.kind {
        case .meanSquaredError: return (d * d, 2 * d)
        case .meanAbsoluteError: return (Swift.abs(d), d > 0 ? 1 : (d < 0 ? -1 : 0))
        case .huber:
            let delta = Double(settings.delta)
            if Swift.abs(d) < delta { return (0.5 * d * d, d) }
            return (delta * (Swift.abs(d) - 0.5 * delta), d > 0 ? delta : -delta)
        default:  // binary cross-entropy
            let cw = cw(c)
            let pw = posWeight.isEmpty ? 1 : Double(posWeight[c])
            if settings.fromLogits {
                // softplus(−x) = max(−x, 0) + log1p(e^−|x|); σ(−x) = 1 − σ(x).
                let softplusNeg = Swift.max(-x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
                let factor = 1 + (pw - 1) * t
                let sigmoidNeg = x >= 0 ? Foundation.exp(-x) / (1 + Foundation.exp(-x)) : 1 / (1 + Foundation.exp(x))
                return (cw * ((1 - t) * x + factor * softplusNeg), cw * ((1 - t) - factor * sigmoidNeg))
            }
            let eps = Double(settings.epsilon)
            let clipped = Swift.min(Swift.max(x, eps), 1 - eps)
            let inRange = x >= eps && x <= 1 - eps
            let value = -cw * (pw * t * Foundation.log(clipped) + (1 - t) * Foundation.log(1 - clipped))
            let derivative = inRange ? -cw * (pw * t / clipped - (1 - t) / (1 - clipped)) : 0
            return (value, derivative)
        }
    }

    /// Log-softmax of row (n, ·, i) into `logp` (stable), returning nothing else.
    private func logSoftmax(_ x: UnsafePointer<Float>, n: Int, i: Int, into logp: UnsafeMutablePointer<Double>) {
        var maximum = -Double.infinity
        for c in 0..<width { maximum = Swift.max(maximum, Double(x[(n * width + c) * inner + i])) }
        if maximum == -.infinity { maximum = 0 }
        var sum = 0.0
        for c in 0..<width { sum += Foundation.exp(Double(x[(n * width + c) * inner + i]) - maximum) }
        let logSum = Foundation.log(sum)
        for c in 0..<width { logp[c] = (Double(x[(n * width + c) * inner + i]) - maximum) - logSum }
    }

    /// A class-index term: (main part, smoothing part) of the loss; adds its gradient, the
    /// parts scaled by s1 and s2.
    private func classTerm(
        _ x: UnsafePointer<Float>, _ t: UnsafeRawPointer, n: Int, i: Int, s1: Double, s2: Double,
        grad: UnsafeMutablePointer<Float>?, _ cw: Weights, scratch: UnsafeMutablePointer<Double>
    ) -> (Double, Double) {
        let label = classIndex(t, n * inner + i)
        if isIgnored(label) { return (0, 0) }
        guard label >= 0 && Int(label) < width else { return (.nan, 0) }
        let target = Int(label)
        let cwT = cw(target)
        func index(_ c: Int) -> Int { (n * width + c) * inner + i }
        if settings.kind == .negativeLogLikelihood {
            grad?[index(target)] += Float(-cwT * s1)
            return (-cwT * Double(x[index(target)]), 0)
        }
        let logp = scratch
        logSoftmax(x, n: n, i: i, into: logp)
        var factor = 1.0
        if settings.kind == .ordinalDistanceCrossEntropy {
            var best = 0
            for c in 1..<Swift.max(width, 1) where x[index(c)] > x[index(best)] { best = c }
            factor = Double(Swift.abs(best - target) + 1)
        }
        let epsilon = settings.kind == .softmaxCrossEntropy ? Double(settings.labelSmoothing) : 0
        let main = (1 - epsilon) * factor * cwT * -logp[target]
        var smooth = 0.0
        var weightSum = 0.0
        if epsilon > 0 {
            for c in 0..<width {
                smooth -= cw(c) * logp[c]
                weightSum += cw(c)
            }
            smooth *= epsilon / Double(width)
        }
        if let grad {
            let a = (1 - epsilon) * factor * cwT * s1
            let b = epsilon / Double(width) * s2
            for c in 0..<width {
                let probability = Foundation.exp(logp[c])
                var value = a * (probability - (c == target ? 1 : 0))
                if epsilon > 0 { value += b * (weightSum * probability - cw(c)) }
                grad[index(c)] += Float(value)
            }
        }
        return (main, smooth)
    }

    /// A row term against a dense target row; adds its gradient scaled by `scale`.
    private func rowTerm(
        _ x: UnsafePointer<Float>, _ t: UnsafePointer<Float>, n: Int, i: Int, scale: Double,
        grad: UnsafeMutablePointer<Float>?, _ cw: Weights, scratch: UnsafeMutablePointer<Double>
    ) -> (Double, Double) {
        func index(_ c: Int) -> Int { (n * width + c) * inner + i }
        let eps = Double(settings.epsilon)
        var value = 0.0
        switch settings.kind {
        case .softmaxCrossEntropy, .ordinalDistanceCrossEntropy:
            let logp = scratch
            logSoftmax(x, n: n, i: i, into: logp)
            let smoothing = Double(settings.labelSmoothing)
            var weightedMass = 0.0
            for c in 0..<width {
                let target = (1 - smoothing) * Double(t[index(c)]) + smoothing / Double(width)
                value -= cw(c) * target * logp[c]
                weightedMass += cw(c) * target
            }
            if let grad {
                for c in 0..<width {
                    let target = (1 - smoothing) * Double(t[index(c)]) + smoothing / Double(width)
                    grad[index(c)] += Float(scale * (Foundation.exp(logp[c]) * weightedMass - cw(c) * target))
                }
            }
        case .negativeLogLikelihood:
            for c in 0..<width {
                value -= cw(c) * Double(t[index(c)]) * Double(x[index(c)])
                grad?[index(c)] += Float(-scale * cw(c) * Double(t[index(c)]))
            }
        case .categoricalCrossEntropy:
            for c in 0..<width {
                let xc = Double(x[index(c)])
                let clipped = Swift.min(Swift.max(xc, eps), 1 - eps)
                let target = Double(t[index(c)])
                value -= cw(c) * target * Foundation.log(clipped)
                if xc >= eps && xc <= 1 - eps { grad?[index(c)] += Float(-scale * cw(c) * target / clipped) }
            }
        case .klDivergence:
            let logq = scratch
            if settings.fromLogits {
                logSoftmax(x, n: n, i: i, into: logq)
            } else {
                for c in 0..<width { logq[c] = Foundation.log(Swift.min(Swift.max(Double(x[index(c)]), eps), 1)) }
            }
            var mass = 0.0
            for c in 0..<width {
                let target = Double(t[index(c)])
                mass += target
                if target > 0 { value += target * (Foundation.log(target) - logq[c]) }
            }
            if let grad {
                for c in 0..<width {
                    let target = Double(t[index(c)])
                    if settings.fromLogits {
                        grad[index(c)] += Float(scale * (Foundation.exp(logq[c]) * mass - target))
                    } else {
                        let xc = Double(x[index(c)])
                        if xc >= eps && xc <= 1 { grad[index(c)] += Float(-scale * target / xc) }
                    }
                }
            }
        case .cosineProximity:
            var dot = 0.0
            var xx = 0.0
            var tt = 0.0
            for c in 0..<width {
                let a = Double(x[index(c)])
                let b = Double(t[index(c)])
                dot += a * b
                xx += a * a
                tt += b * b
            }
            let norm = Swift.max((xx * tt).squareRoot(), 1e-8)
            let cosine = dot / norm
            value = 1 - cosine
            if let grad, xx > 0 {
                for c in 0..<width {
                    let a = Double(x[index(c)])
                    let b = Double(t[index(c)])
                    grad[index(c)] += Float(-scale * (b / norm - cosine * a / xx))
                }
            }
        default:
            value = .nan
        }
        return (value, 0)
    }
}

/// HeadLoss: the reduced (or per-term) loss of a head.
struct HeadLossKernel: Kernel {
    let evaluator: LossEvaluator

    init(binding node: BoundNode) throws(RuntimeError) {
        evaluator = try LossEvaluator(node: node, xPosition: 0)
    }

    var scratchByteCount: Int { evaluator.scratchByteCount }

    func run(_ io: KernelIO) {
        guard let t = io.input(1), let scratch = io.scratch else { return }
        evaluator.evaluate(
            x: io.floats(0), t: t, w: io.input(2)?.assumingMemoryBound(to: Float.self), upstream: nil,
            loss: io.outputFloats(0), grad: nil, scratch: scratch)
    }
}

/// HeadLossGrad: dL/dX of HeadLoss times the incoming gradient.
struct HeadLossGradKernel: Kernel {
    let evaluator: LossEvaluator

    init(binding node: BoundNode) throws(RuntimeError) {
        evaluator = try LossEvaluator(node: node, xPosition: 1)
    }

    var scratchByteCount: Int { evaluator.scratchByteCount }

    func run(_ io: KernelIO) {
        guard let t = io.input(2), let scratch = io.scratch else { return }
        evaluator.evaluate(
            x: io.floats(1), t: t, w: io.input(3)?.assumingMemoryBound(to: Float.self), upstream: io.floats(0),
            loss: nil, grad: io.outputFloats(0), scratch: scratch)
    }
}
