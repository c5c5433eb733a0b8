import Foundation
import ModelCompiler

/// Kernels for SoftmaxCrossEntropyLoss, NegativeLogLikelihoodLoss.
func makeLossKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    try ClassLossKernel(binding: node)
}

/// SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss (ONNX-13), float32 scores.
///
/// Shapes: scores [N, C] or [N, C, d1..dk] (class axis 1, pixel-wise beyond it), labels int64
/// or int32 [N] / [N, d1..dk], optional weights [C]. Per target (n, d) with class t:
/// - NLL: l = −w_t · input[n, t, d], the input being log-probabilities;
/// - SCE: the same on log_softmax(scores) along axis 1, computed stably as
///   (x_t − max) − log Σ_c exp(x_c − max); the optional log_prob output holds that
///   log_softmax for every class.
/// w_t is weights[t] (1 without weights). A target equal to `ignore_index` has l = 0 and
/// weight 0. Reductions: "none" keeps l [N, d...]; "sum" is Σ l; "mean" is Σ l / Σ w_t over
/// the targets not ignored (with no weights, the count of those targets), so a batch with
/// every target ignored has mean 0/0 = NaN, as in ONNX Runtime and PyTorch. Sums are in Double.
///
/// Labels out of range: ONNX Runtime fails the run; `run` here cannot fail, so a label
/// outside 0..<C that is not `ignore_index` gives that target the loss NaN (and so a NaN sum
/// or mean), which the trainer's NaN guard reports with the step. Constant labels are
/// checked at bind time instead. Nothing outside scores or weights is ever read.
struct ClassLossKernel: Kernel {
    enum Reduction: String, Sendable { case mean, sum, none }

    let isSoftmax: Bool
    let batch: Int
    let classes: Int
    /// Positions per sample beyond the class axis (the product of d1..dk; 1 for [N, C]).
    let inner: Int
    let labelsAreInt32: Bool
    let hasWeights: Bool
    let ignoreIndex: Int64?
    let reduction: Reduction

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs([0, 2])
        isSoftmax = node.op == .softmaxCrossEntropyLoss
        let scores = node.shape(0)
        guard scores.count >= 2 else { throw node.error("scores must be [N,C,d...], got \(scores)") }
        batch = scores[0]
        classes = scores[1]
        inner = scores.dropFirst(2).reduce(1, *)
        let expected = [scores[0]] + Array(scores.dropFirst(2))
        guard node.shape(1) == expected else {
            throw node.error("labels \(node.shape(1)) must be \(expected) for scores \(scores)")
        }
        let labelType = node.inputTypes.count > 1 ? node.inputTypes[1] : nil
        guard labelType == .int64 || labelType == .int32 else {
            throw node.error("labels must be int64 or int32 class indices, got \(labelType.map { "\($0)" } ?? "none")")
        }
        labelsAreInt32 = labelType == .int32
        hasWeights = node.has(2)
        if hasWeights && node.shape(2) != [classes] {
            throw node.error("weights must be [\(classes)], got \(node.shape(2))")
        }
        ignoreIndex = node.attributes.has("ignore_index") ? Int64(node.attributes.int("ignore_index", default: 0)) : nil
        let name = node.attributes.string("reduction", default: "mean")
        guard let reduction = Reduction(rawValue: name) else {
            throw node.error("reduction '\(name)' is not mean, sum or none")
        }
        self.reduction = reduction
        if let constant = node.constants[1],
            let bad = constant.int64s.first(where: { $0 != ignoreIndex && ($0 < 0 || $0 >= Int64(classes)) })
        {
            throw node.error("label \(bad) is out of range for \(classes) classes")
        }
    }

    func run(_ io: KernelIO) {
        guard let labels = io.input(1) else { return }
        let scores = io.floats(0)
        let weights = hasWeights ? io.floats(2) : nil
        let output = io.outputFloats(0)
        let logProb = isSoftmax ? io.output(1)?.assumingMemoryBound(to: Float.self) : nil
        var total = 0.0
        var weightTotal = 0.0
        for n in 0..<batch {
            for d in 0..<inner {
                let base = n * classes * inner + d
                let target = n * inner + d
                // For SCE, log_softmax(x)_c = (x_c − shift) − logSum; for NLL, x_c itself.
                var shift: Float = 0
                var logSum: Float = 0
                if isSoftmax {
                    var maximum = -Float.infinity
                    for c in 0..<classes { maximum = max(maximum, scores[base + c * inner]) }
                    if maximum == -.infinity { maximum = 0 }  // all −∞: avoid −∞ − (−∞)
                    var sum: Float = 0
                    for c in 0..<classes { sum += Foundation.exp(scores[base + c * inner] - maximum) }
                    shift = maximum
                    logSum = Foundation.log(sum)
                    if let logProb {
                        for c in 0..<classes { logProb[base + c * inner] = (scores[base + c * inner] - shift) - logSum }
                    }
                }
                let label =
                    labelsAreInt32
                    ? Int64(labels.load(fromByteOffset: target * 4, as: Int32.self))
                    : labels.load(fromByteOffset: target * 8, as: Int64.self)
                var loss: Float = 0
                var weight: Float = 0
                if label == ignoreIndex {
                    // Ignored: contributes nothing to the loss or to the mean's denominator.
                } else if label < 0 || label >= Int64(classes) {
                    loss = .nan
                    weight = 1
                } else {
                    let t = Int(label)
                    weight = weights?[t] ?? 1
                    loss = -((scores[base + t * inner] - shift) - logSum) * weight
                }
                if reduction == .none { output[target] = loss }
                total += Double(loss)
                weightTotal += Double(weight)
            }
        }
        switch reduction {
        case .none: break
        case .sum: output[0] = Float(total)
        case .mean: output[0] = Float(total / weightTotal)
        }
    }
}
