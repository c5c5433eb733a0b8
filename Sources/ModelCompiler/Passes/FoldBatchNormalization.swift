import Foundation
import ModelFormat

/// Folds an inference BatchNormalization into the Conv or Gemm before it: with
/// s = scale / sqrt(var + epsilon), the weights of output channel c are multiplied by s_c and
/// the bias becomes (b_c − mean_c)·s_c + B_c. The producer must feed only the
/// BatchNormalization, and every parameter must be an initializer.
struct FoldBatchNormalization: GraphPass {
    let name = "fold-batch-normalization"

    func run(on graph: inout Graph, context: PassContext) throws(CompileError) -> Bool {
        let uses = graph.useCounts()
        let graphOutputs = Set(graph.outputs)
        var removed = Set<Int>()
        for index in graph.nodes.indices where graph.nodes[index].op == .batchNormalization {
            let bn = graph.nodes[index]
            guard bn.outputs.count == 1 || bn.outputs.dropFirst().allSatisfy({ $0 == nil }),
                bn.attributes.int("training_mode", default: 0) == 0,
                let x = bn.inputs[0], uses[x.index] == 1, !graphOutputs.contains(x),
                let producer = graph.producer(of: x), !removed.contains(producer.index),
                let parameters = floats(bn.inputs.dropFirst().map { $0 }, graph),
                parameters.count == 4
            else { continue }
            // The producer's kind first: any op may feed a BatchNormalization (DenseNet's follows
            // a one-input Concat, others a MaxPool or an Add), and only Conv and Gemm have a weight.
            let node = graph.nodes[producer.index]
            guard node.op == .conv || node.op == .gemm, node.inputs.count >= 2 else { continue }
            let epsilon = bn.attributes.float("epsilon", default: 1e-5)
            let (scale, shift, mean, variance) = (parameters[0], parameters[1], parameters[2], parameters[3])
            let s = zip(scale, variance).map { $0 / ($1 + epsilon).squareRoot() }
            let channels = s.count
            guard channels > 0, [shift.count, mean.count, variance.count].allSatisfy({ $0 == channels }),
                let weightID = node.inputs[1], var weight = graph.initializers[weightID],
                var w = try? weight.floatValues(), w.count == Shape.checkedElementCount(weight.dims.map { Int($0) })
            else { continue }
            var bias: [Float] = Array(repeating: 0, count: channels)
            if node.inputs.count > 2, let biasID = node.inputs[2] {
                guard let values = graph.initializers[biasID].flatMap({ try? $0.floatValues() }), values.count == channels else {
                    continue
                }
                bias = values
            }
            switch node.op {
            case .conv:
                // W is [M, C/g, k...]: channel c owns a contiguous block.
                guard weight.dims.first == Int64(channels), w.count % channels == 0 else { continue }
                let block = w.count / channels
                for c in 0..<channels { for i in 0..<block { w[c * block + i] *= s[c] } }
            case .gemm where node.attributes.float("alpha", default: 1) == 1 && node.attributes.float("beta", default: 1) == 1
                && node.attributes.int("transA", default: 0) == 0:
                // Output column j scales B's column j: B is [K, N] or, with transB, [N, K].
                let transB = node.attributes.int("transB", default: 0) == 1
                guard weight.dims.count == 2, weight.dims[transB ? 0 : 1] == Int64(channels) else { continue }
                let k = Int(weight.dims[transB ? 1 : 0])
                for j in 0..<channels { for p in 0..<k { w[transB ? j * k + p : p * channels + j] *= s[j] } }
            default:
                continue
            }
            let newBias = (0..<channels).map { (bias[$0] - mean[$0]) * s[$0] + shift[$0] }
            weight.floatData = w
            weight.rawData = Data()
            weight.compression = .none
            weight.name = graph.uniqueName("folded.\(graph[weightID].name)")
            let newWeight = graph.addInitializer(weight)
            let newBiasID = graph.addInitializer(ProtoTensor(name: graph.uniqueName("folded.\(bn.name).bias"), shape: [channels], floats: newBias))
            var fused = node
            fused.inputs = [node.inputs[0], newWeight, newBiasID]
            fused.outputs = [bn.outputs[0]]
            graph.nodes[index] = fused
            removed.insert(producer.index)
        }
        graph.nodes = graph.nodes.indices.filter { !removed.contains($0) }.map { graph.nodes[$0] }
        return !removed.isEmpty
    }

    private func floats(_ ids: [ValueID?], _ graph: Graph) -> [[Float]]? {
        var result: [[Float]] = []
        for id in ids {
            guard let id, let values = graph.initializers[id].flatMap({ try? $0.floatValues() }) else { return nil }
            result.append(values)
        }
        return result
    }
}
