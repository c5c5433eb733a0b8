import Foundation
import ModelCompiler

/// A pointwise function, chosen at bind time, applied in tight loops at run time.
enum Pointwise: Sendable {
    case identity, abs, exp, log, neg, sqrt, relu, sigmoid, tanh, softplus
    case erf, reciprocal, sign, floor, ceil, round, hardSwish
    case hardSigmoid(alpha: Float, beta: Float)
    case leakyRelu(alpha: Float)
    case elu(alpha: Float)
    case selu(alpha: Float, gamma: Float)
    case gelu(tanhApproximation: Bool)
    case clip(min: Float, max: Float)
    /// x·σ(x) (SiLU): what Sigmoid·Mul computes, fused into a convolution by the compiler.
    case swish

    /// The function of a unary op node, with its attributes.
    init?(op: OpType, attributes: Attributes) {
        switch op {
        case .abs: self = .abs
        case .exp: self = .exp
        case .log: self = .log
        case .neg: self = .neg
        case .sqrt: self = .sqrt
        case .relu: self = .relu
        case .sigmoid: self = .sigmoid
        case .tanh: self = .tanh
        case .softplus: self = .softplus
        case .erf: self = .erf
        case .reciprocal: self = .reciprocal
        case .sign: self = .sign
        case .floor: self = .floor
        case .ceil: self = .ceil
        case .round: self = .round
        case .hardSwish: self = .hardSwish
        case .hardSigmoid:
            self = .hardSigmoid(alpha: attributes.float("alpha", default: 0.2), beta: attributes.float("beta", default: 0.5))
        case .leakyRelu: self = .leakyRelu(alpha: attributes.float("alpha", default: 0.01))
        case .elu: self = .elu(alpha: attributes.float("alpha", default: 1))
        case .selu:
            self = .selu(
                alpha: attributes.float("alpha", default: 1.67326319217681884765625),
                gamma: attributes.float("gamma", default: 1.05070102214813232421875))
        case .gelu: self = .gelu(tanhApproximation: attributes.string("approximate", default: "none") == "tanh")
        default: return nil
        }
    }

    /// The activation fused into a FusedGemm/FusedConv node (ORT's `activation` attribute).
    init?(fusedName: String, attributes: Attributes) {
        let alpha = attributes.float("activation_alpha", default: fusedName == "Elu" ? 1 : 0.01)
        switch fusedName {
        case "Relu": self = .relu
        case "Sigmoid": self = .sigmoid
        case "Tanh": self = .tanh
        case "LeakyRelu": self = .leakyRelu(alpha: alpha)
        case "Elu": self = .elu(alpha: alpha)
        case "Clip":
            self = .clip(
                min: attributes.float("activation_alpha", default: -.infinity),
                max: attributes.float("activation_beta", default: .infinity))
        case "Swish": self = .swish
        case "Identity", "": self = .identity
        default: return nil
        }
    }

    /// y[i] = f(x[i]) for i in 0..<count; `x` may equal `y`.
    func apply(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .identity: if UnsafeRawPointer(x) != UnsafeRawPointer(y) { y.update(from: x, count: count) }
        case .abs: for i in 0..<count { y[i] = Swift.abs(x[i]) }
        case .exp: for i in 0..<count { y[i] = Foundation.exp(x[i]) }
        case .log: for i in 0..<count { y[i] = Foundation.log(x[i]) }
        case .neg: for i in 0..<count { y[i] = -x[i] }
        case .sqrt: for i in 0..<count { y[i] = x[i].squareRoot() }
        case .relu: for i in 0..<count { y[i] = Swift.max(x[i], 0) }
        case .sigmoid: for i in 0..<count { y[i] = Pointwise.sigmoid(x[i]) }
        case .tanh: for i in 0..<count { y[i] = Foundation.tanh(x[i]) }
        case .softplus:
            // log(1 + e^x) = max(x, 0) + log1p(e^-|x|): no overflow for large |x|.
            for i in 0..<count { y[i] = Swift.max(x[i], 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x[i]))) }
        case .leakyRelu(let alpha): for i in 0..<count { y[i] = x[i] >= 0 ? x[i] : alpha * x[i] }
        case .elu(let alpha): for i in 0..<count { y[i] = x[i] > 0 ? x[i] : alpha * Foundation.expm1(x[i]) }
        case .selu(let alpha, let gamma):
            for i in 0..<count { y[i] = gamma * (x[i] > 0 ? x[i] : alpha * Foundation.expm1(x[i])) }
        case .gelu(let approximate):
            if approximate {
                let c = Float((2 / Double.pi).squareRoot())
                for i in 0..<count {
                    let v = x[i]
                    y[i] = 0.5 * v * (1 + Foundation.tanh(c * (v + 0.044715 * v * v * v)))
                }
            } else {
                for i in 0..<count { y[i] = 0.5 * x[i] * (1 + Foundation.erf(x[i] * 0.70710678118654752)) }
            }
        case .clip(let low, let high): for i in 0..<count { y[i] = Swift.min(Swift.max(x[i], low), high) }
        case .swish: for i in 0..<count { y[i] = x[i] * Pointwise.sigmoid(x[i]) }
        case .erf: for i in 0..<count { y[i] = Foundation.erf(x[i]) }
        case .reciprocal: for i in 0..<count { y[i] = 1 / x[i] }
        case .sign: for i in 0..<count { y[i] = x[i] > 0 ? 1 : (x[i] < 0 ? -1 : x[i] == 0 ? 0 : x[i]) }
        case .floor: for i in 0..<count { y[i] = x[i].rounded(.down) }
        case .ceil: for i in 0..<count { y[i] = x[i].rounded(.up) }
        case .round: for i in 0..<count { y[i] = x[i].rounded(.toNearestOrEven) }
        case .hardSigmoid(let alpha, let beta):
            for i in 0..<count { y[i] = Pointwise.clamp01(alpha * x[i] + beta) }
        case .hardSwish: for i in 0..<count { y[i] = x[i] * Pointwise.clamp01(x[i] / 6 + 0.5) }
        }
    }

    /// max(0, min(1, v)); NaN stays NaN (as ONNX Runtime's HardSigmoid).
    @inline(__always) static func clamp01(_ v: Float) -> Float { v.isNaN ? v : Swift.min(Swift.max(v, 0), 1) }

    /// 1/(1+e^-x) without overflow for large negative x.
    @inline(__always) static func sigmoid(_ x: Float) -> Float {
        if x >= 0 { return 1 / (1 + Foundation.exp(-x)) }
        let e = Foundation.exp(x)
        return e / (1 + e)
    }
}

/// Softmax / LogSoftmax along an axis, stable: subtract the maximum before exponentiating
/// (ONNX Softmax-13, LogSoftmax-13).
struct SoftmaxKernel: Kernel {
    let outer: Int
    let extent: Int
    let inner: Int
    let logarithm: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        (outer, extent, inner) = sizes(of: node.shape(0), around: try node.axis(default: -1, allowScalar: true))
        logarithm = node.op == .logSoftmax
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        let y = io.outputFloats(0)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * extent * inner + i
                var maximum = -Float.infinity
                for k in 0..<extent { maximum = max(maximum, x[base + k * inner]) }
                if maximum == -.infinity { maximum = 0 }  // all -inf: keep the NaN-free path
                var sum: Float = 0
                for k in 0..<extent {
                    let e = Foundation.exp(x[base + k * inner] - maximum)
                    sum += e
                    if !logarithm { y[base + k * inner] = e }
                }
                if logarithm {
                    // (x - max) - log(sum): both terms are small, so no precision is lost to max.
                    let logSum = Foundation.log(sum)
                    for k in 0..<extent { y[base + k * inner] = (x[base + k * inner] - maximum) - logSum }
                } else {
                    let scale = 1 / sum
                    for k in 0..<extent { y[base + k * inner] *= scale }
                }
            }
        }
    }
}
