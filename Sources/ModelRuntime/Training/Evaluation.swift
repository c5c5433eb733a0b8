import ModelCompiler
import ModelFormat

/// Runs the evaluation graph over a data set in batches and reports the loss (batch losses
/// averaged with their sample counts as weights) and every head's metrics on natural labels.
enum Evaluation {
    static func run(session: TrainingSession, data: TrainingData, batchSize: Int) throws(TrainingError) -> EvaluationReport {
        let program = session.evaluation
        let heads = program.sourceModel.head
        let outputs = heads.map(\.output)
        var collected: [String: [Tensor]] = [:]
        var lossSum = 0.0
        var start = 0
        // Evaluation graphs lack the trainer's hyper input; feed only what the graph declares.
        let inputNames = Set(program.graph.inputs.map { program.graph[$0].name })
        while start < data.count {
            let indices = Array(start..<min(data.count, start + batchSize))[...]
            let feeds = data.batch(indices).filter { inputNames.contains($0.key) }
            let values: [String: Tensor]
            do {
                values = try session.evaluate(feeds, fetching: [program.loss] + outputs)
            } catch {
                throw .runtime(error)
            }
            lossSum += Double(values[program.loss]?.scalars.first ?? .nan) * Double(indices.count)
            for name in outputs { if let value = values[name] { collected[name, default: []].append(value) } }
            start += batchSize
        }
        var metrics: [String: [MetricResult]] = [:]
        for (index, head) in heads.enumerated() where !head.metric.isEmpty {
            guard let parts = collected[head.output], let labels = data.labels[index] else { continue }
            let output = concatenate(parts)
            let (rows, flatLabels) = positionsAsSamples(output, labels)
            let name = HeadDecoders.displayName(head)
            do {
                let predictions = try HeadDecoders.make(for: head).decode(rows)
                let classes = Int(head.encoding.numClasses > 0 ? head.encoding.numClasses : Int64(rows.shape.last ?? 1))
                metrics[name] = try MetricEvaluator.evaluate(
                    head: head, predictions: predictions, labels: flatLabels, classCount: classes)
            } catch let error as DecodeError {
                throw .runtime(.decode(head: name, reason: error.description))
            } catch let error as MetricError {
                throw .metric(error)
            } catch {
                throw .runtime(.decode(head: name, reason: "\(error)"))
            }
        }
        return EvaluationReport(loss: lossSum / Double(max(data.count, 1)), heads: metrics, samples: data.count)
    }

    /// Joins batch outputs along the first axis.
    static func concatenate(_ parts: [Tensor]) -> Tensor {
        guard var shape = parts.first?.shape, parts.count > 1 else { return parts.first ?? Tensor(zeros: [0]) }
        shape[0] = parts.reduce(0) { $0 + ($1.shape.first ?? 0) }
        var result = Tensor(zeros: shape, type: parts[0].elementType)
        result.withUnsafeMutableBytes { destination in
            var offset = 0
            for part in parts {
                part.withUnsafeBytes { source in
                    if let to = destination.baseAddress, let from = source.baseAddress {
                        (to + offset).copyMemory(from: from, byteCount: source.count)
                    }
                    offset += source.count
                }
            }
        }
        return result
    }

    /// A pixel-wise output [N, C, d…] as rows [N·Πd, C] with labels [N·Πd] (each position is
    /// a sample for decoding and metrics); other outputs as they are.
    static func positionsAsSamples(_ output: Tensor, _ labels: Tensor) -> (Tensor, Tensor) {
        guard output.shape.count > 2 else { return (output, labels) }
        let (n, c) = (output.shape[0], output.shape[1])
        let inner = output.shape.dropFirst(2).reduce(1, *)
        let values = output.scalars
        var rows = [Float](repeating: 0, count: values.count)
        for sample in 0..<n {
            for channel in 0..<c {
                for position in 0..<inner {
                    rows[(sample * inner + position) * c + channel] = values[(sample * c + channel) * inner + position]
                }
            }
        }
        let flatLabels = labels.reshaped([n * inner] + (labels.shape.count > output.shape.count - 1 ? [labels.count / (n * inner)] : [])) ?? labels
        return (Tensor(shape: [n * inner, c], scalars: rows), flatLabels)
    }
}
