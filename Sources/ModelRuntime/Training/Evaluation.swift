import ModelCompiler
import ModelFormat

/// Runs the evaluation graph over a data set in batches and reports the loss (batch losses
/// averaged with their sample counts as weights) and every head's metrics on natural labels.
///
/// With several ranks, each evaluates its `DataShard` of the data; the loss sums are added up
/// over the ranks and the head outputs gathered, so every rank computes the metrics from the
/// whole data set's predictions: counts, not averages of per-rank averages.
enum Evaluation {
    static func run(
        session: TrainingSession, data: TrainingData, batchSize: Int,
        communicator: any Communicator = SingleProcessCommunicator.shared
    ) throws(TrainingError) -> EvaluationReport {
        let program = session.evaluation
        let heads = program.sourceModel.head
        let outputs = heads.map(\.output)
        let headLosses = program.headLosses.sorted { $0.key < $1.key }
        var collected: [String: [Tensor]] = [:]
        // Per head: the sum over batches of (SUM/NONE) the batch loss, or (means) the batch
        // loss times the batch's sample count; a mean is then divided by the sample count.
        var lossSums = [Int: Double]()
        let shard = DataShard.range(count: data.count, rank: communicator.rank, size: communicator.size)
        // A rank without samples still runs one (discarded) to learn the outputs' row shapes.
        let runsEmpty = shard.isEmpty && data.count > 0
        var start = runsEmpty ? 0 : shard.lowerBound
        let end = runsEmpty ? 1 : shard.upperBound
        // Evaluation graphs lack the trainer's hyper input; feed only what the graph declares.
        let inputNames = Set(program.graph.inputs.map { program.graph[$0].name })
        let fetches = headLosses.map(\.value) + outputs
        var feeds: [String: Tensor] = [:]
        while start < end {
            let indices = Array(start..<min(end, start + batchSize))[...]
            data.batch(indices, names: inputNames, into: &feeds)
            let values: [String: Tensor]
            do {
                values = try session.evaluate(feeds, fetching: fetches)
            } catch {
                throw .runtime(error)
            }
            for (head, name) in headLosses where !runsEmpty {
                let terms = values[name]?.scalars ?? [.nan]
                let batchLoss = terms.reduce(0.0) { $0 + Double($1) }
                lossSums[head, default: 0] += isSummed(heads[head]) ? batchLoss : batchLoss * Double(indices.count)
            }
            for name in outputs {
                guard let value = values[name] else { continue }
                collected[name, default: []].append(runsEmpty ? TrainingData.rows(of: value, [][...]) : value)
            }
            start += batchSize
        }
        if communicator.size > 1 {
            do {
                let heads = headLosses.map(\.key)  // every head on every rank, sorted: same vector length
                let sums = try communicator.sum(heads.map { lossSums[$0] ?? 0 })
                for (head, sum) in zip(heads, sums) { lossSums[head] = sum }
                for name in outputs {
                    guard let parts = collected[name] else { continue }
                    collected[name] = [try gather(concatenate(parts), shard: shard, of: data.count, communicator)]
                }
            } catch {
                throw .runtime(error)
            }
        }
        var loss = 0.0
        for (head, sum) in lossSums.sorted(by: { $0.key < $1.key }) {  // a fixed order: the same sum every run
            let weight = Double(heads[head].weight == 0 ? 1 : heads[head].weight)
            loss += weight * (isSummed(heads[head]) ? sum : sum / Double(max(data.count, 1)))
        }
        var metrics: [String: [MetricResult]] = [:]
        for (index, head) in heads.enumerated() where !head.metric.isEmpty {
            guard let parts = collected[head.output], let labels = data.labels[index],
                let classes = data.classCounts[index]
            else { continue }
            let output = concatenate(parts)
            let (rows, flatLabels) = positionsAsSamples(output, labels)
            let name = HeadDecoders.displayName(head)
            do {
                let predictions = try HeadDecoders.make(for: head).decode(rows)
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
        return EvaluationReport(loss: loss, heads: metrics, samples: data.count)
    }

    /// The rows of all ranks in data order: each rank places its shard's rows in a zeroed
    /// tensor of every row, and a sum over the ranks fills it (adding zeros is exact).
    private static func gather(_ local: Tensor, shard: Range<Int>, of count: Int, _ communicator: any Communicator)
        throws(RuntimeError) -> Tensor
    {
        var shape = local.shape
        guard !shape.isEmpty else { return local }
        let rowElements = shape.dropFirst().reduce(1, *)
        shape[0] = count
        var all = Tensor(zeros: shape, type: .float32)
        let floats = local.elementType == .float32 ? local : Tensor(shape: local.shape, scalars: local.scalars)
        let copied = min(local.shape[0], shard.count) * rowElements
        let ok = all.withUnsafeMutableBytes { destination in
            floats.withUnsafeBytes { source in
                guard let to = destination.baseAddress?.assumingMemoryBound(to: Float.self) else { return true }
                if copied > 0, let from = source.baseAddress {
                    (to + shard.lowerBound * rowElements).update(
                        from: from.assumingMemoryBound(to: Float.self), count: copied)
                }
                return communicator.sumInPlace(to, count: count * rowElements)
            }
        }
        if !ok, let failure = communicator.failure { throw failure }
        return all
    }

    /// Heads whose loss is a sum over samples (SUM; NONE, which training sums): the data set's
    /// loss is the sum of the batch losses. Other reductions are means, combined with the
    /// batch sizes as weights (exact for plain means; for class- or sample-weighted means the
    /// batches' own denominators are used, an approximation that vanishes with one batch).
    private static func isSummed(_ head: ProtoHead) -> Bool {
        head.loss.reduction == .sum || head.loss.reduction == .none
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
        /// [N, width, inner] values as [N·inner, width] rows: the class axis last.
        func channelsLast(_ tensor: Tensor, width: Int) -> Tensor {
            let values = tensor.scalars
            var rows = [Float](repeating: 0, count: values.count)
            for sample in 0..<n {
                for channel in 0..<width {
                    for position in 0..<inner {
                        rows[(sample * inner + position) * width + channel] =
                            values[(sample * width + channel) * inner + position]
                    }
                }
            }
            return Tensor(shape: [n * inner, width], scalars: rows)
        }
        // Class indices [N, d…] flatten in place; dense labels [N, C, d…] move their class axis
        // last like the output.
        guard labels.shape.count == output.shape.count, labels.shape.count > 2 else {
            return (channelsLast(output, width: c), labels.reshaped([n * inner]) ?? labels)
        }
        return (channelsLast(output, width: c), channelsLast(labels, width: labels.shape[1]))
    }
}
