import Foundation
import ModelCompiler
import ModelFormat

/// Kernels for SoftmaxCrossEntropyLoss, NegativeLogLikelihoodLoss.
func makeLossKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    try ClassLossKernel(binding: node)
}

/// SoftmaxCrossEntropyLoss and NegativeLogLikelihoodLoss (ONNX-13), float32 scores, computed
/// by the same `LossEvaluator` as the training graph's HeadLoss, so the ONNX conformance cases
/// for these ops exercise the training losses too.
///
/// Shapes: scores [N, C] or [N, C, d1..dk] (class axis 1, pixel-wise beyond it), labels int64
/// or int32 [N] / [N, d1..dk], optional weights [C] (an input, read at run time). Per target
/// with class t: NLL l = −w_t·input[n, t, d] (log-probabilities in); SCE the same on
/// log_softmax(scores), computed stably; the optional log_prob output holds that log_softmax.
/// A target equal to `ignore_index` counts for nothing. "none" keeps l [N, d...]; "sum" is
/// Σ l; "mean" is Σ l / Σ w_t over the targets not ignored, so a batch with every target
/// ignored has mean 0/0 = NaN, as in ONNX Runtime and PyTorch.
///
/// Labels out of range: ONNX Runtime fails the run; `run` here cannot fail, so such a target
/// has the loss NaN (and so a NaN sum or mean). Constant labels are checked at bind time.
struct ClassLossKernel: Kernel {
    let evaluator: LossEvaluator
    let hasWeights: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs([0, 2])
        let scores = node.shape(0)
        guard scores.count >= 2 else { throw node.error("scores must be [N,C,d...], got \(scores)") }
        let expected = [scores[0]] + Array(scores.dropFirst(2))
        guard node.shape(1) == expected else {
            throw node.error("labels \(node.shape(1)) must be \(expected) for scores \(scores)")
        }
        let reductionName = node.attributes.string("reduction", default: "mean")
        var head = ProtoHead()
        head.encoding.kind = .oneHot
        head.loss.kind = node.op == .softmaxCrossEntropyLoss ? .softmaxCrossEntropy : .negativeLogLikelihood
        head.loss.fromLogits = true
        switch reductionName {
        case "mean": head.loss.reduction = .mean
        case "sum": head.loss.reduction = .sum
        case "none": head.loss.reduction = .none
        default: throw node.error("reduction '\(reductionName)' is not mean, sum or none")
        }
        if node.attributes.has("ignore_index") {
            head.loss.ignore = .ignoreIndex(Int64(node.attributes.int("ignore_index", default: 0)))
        }
        let settings = LossAttributes(head: head)
        evaluator = try LossEvaluator(node: node, settings: settings, xPosition: 0)
        hasWeights = node.has(2)
        if hasWeights && node.shape(2) != [scores[1]] {
            throw node.error("weights must be [\(scores[1])], got \(node.shape(2))")
        }
        if let constant = node.constants[1],
            let bad = constant.int64s.first(where: { $0 != settings.ignoreIndex && ($0 < 0 || $0 >= Int64(scores[1])) })
        {
            throw node.error("label \(bad) is out of range for \(scores[1]) classes")
        }
    }

    var scratchByteCount: Int { evaluator.scratchByteCount }

    func run(_ io: KernelIO) {
        guard let labels = io.input(1), let scratch = io.scratch else { return }
        let scores = io.floats(0)
        evaluator.evaluate(
            x: scores, t: labels, w: nil, upstream: nil, loss: io.outputFloats(0), grad: nil,
            classWeights: hasWeights ? io.floats(2) : nil, scratch: scratch)
        if let logProb = io.output(1)?.assumingMemoryBound(to: Float.self) {
            evaluator.writeLogSoftmax(scores, into: logProb, scratch: scratch)
        }
    }
}
