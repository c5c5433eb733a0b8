import ModelFormat

/// Replaces `Filler` rules by stored values, deterministically.
///
/// A tensor's stream is seeded by its own `seed`, or else by the model's training seed mixed
/// with the tensor's name, so renaming one weight does not change the others. Fan-in and
/// fan-out for the Glorot and He rules come from the op that consumes the weight:
/// Gemm B is [K, M] (or [M, K] with transB), MatMul B is [K, M], Conv W is [M, C/g, k...]
/// (fan_in = C/g·Πk, fan_out = M·Πk). Other tensors use the PyTorch convention for
/// [out, in, k...]; a vector has fan_in = fan_out = its length.
public enum FillerMaterializer {
    /// The model with every filler-only initializer given `float_data`.
    public static func materialize(_ model: ProtoModel) throws(CompileError) -> ProtoModel {
        var model = model
        var diagnostics: [Diagnostic] = []
        let consumers = weightConsumers(model.graph)
        for index in model.graph.initializer.indices {
            let tensor = model.graph.initializer[index]
            guard tensor.hasInit_p, !tensor.hasStoredValues else { continue }
            do {
                let shape = try tensor.validatedShape()
                let fans = fans(shape: shape, consumer: consumers[tensor.name])
                let seed = tensor.init_p.seed != 0
                    ? UInt64(bitPattern: tensor.init_p.seed) : SplitMix64.seed(model: model.training.seed, tensor: tensor.name)
                var filled = tensor
                filled.floatData = values(tensor.init_p, count: shape.reduce(1, *), fans: fans, seed: seed)
                filled.clearInit_p()
                model.graph.initializer[index] = filled
            } catch {
                diagnostics.append(Diagnostic(.error, error.code, .init(field: "graph.initializer['\(tensor.name)']"), error.description))
            }
        }
        if !diagnostics.isEmpty { throw .invalidModel(diagnostics) }
        return model
    }

    /// Values for `filler`, in row-major order.
    static func values(_ filler: ProtoFiller, count: Int, fans: (in: Int, out: Int), seed: UInt64) -> [Float] {
        var random = SplitMix64(seed: seed)
        let fanIn = Double(max(fans.in, 1))
        let fanOut = Double(max(fans.out, 1))
        func uniform(_ low: Double, _ high: Double) -> [Float] {
            (0..<count).map { _ in Float(low + (high - low) * random.nextUnit()) }
        }
        func normal(_ mean: Double, _ std: Double) -> [Float] {
            (0..<count).map { _ in Float(mean + std * random.nextNormal()) }
        }
        switch filler.kind {
        case .zeros, .UNRECOGNIZED: return [Float](repeating: 0, count: count)
        case .ones: return [Float](repeating: 1, count: count)
        case .constant: return [Float](repeating: filler.value, count: count)
        case .uniform: return uniform(Double(filler.low), Double(filler.high))
        case .normal: return normal(Double(filler.mean), Double(filler.std))
        case .glorotUniform:
            let limit = (6 / (fanIn + fanOut)).squareRoot()
            return uniform(-limit, limit)
        case .glorotNormal: return normal(0, (2 / (fanIn + fanOut)).squareRoot())
        case .heUniform:
            let limit = (6 / fanIn).squareRoot()
            return uniform(-limit, limit)
        case .heNormal: return normal(0, (2 / fanIn).squareRoot())
        }
    }

    /// How each weight is consumed: the op and input position, with the node's transB.
    private static func weightConsumers(_ graph: ProtoGraph) -> [String: (op: String, position: Int, transB: Bool)] {
        var consumers: [String: (op: String, position: Int, transB: Bool)] = [:]
        for node in graph.node {
            for (position, input) in node.input.enumerated() where consumers[input] == nil {
                let transB = node.attribute.first { $0.name == "transB" }?.i == 1
                consumers[input] = (node.opType, position, transB)
            }
        }
        return consumers
    }

    static func fans(shape: [Int], consumer: (op: String, position: Int, transB: Bool)?) -> (in: Int, out: Int) {
        guard !shape.isEmpty else { return (1, 1) }
        guard shape.count >= 2 else { return (shape[0], shape[0]) }
        let receptive = shape.dropFirst(2).reduce(1, *)
        switch consumer {
        case let consumer? where (consumer.op == "Gemm" || consumer.op == "FusedGemm") && consumer.position == 1:
            return consumer.transB ? (shape[1], shape[0]) : (shape[0], shape[1])
        case let consumer? where consumer.op == "MatMul" && consumer.position == 1 && shape.count == 2:
            return (shape[0], shape[1])
        default:  // [out, in, k...]: PyTorch's convention, which Conv weights follow
            return (shape[1] * receptive, shape[0] * receptive)
        }
    }
}
