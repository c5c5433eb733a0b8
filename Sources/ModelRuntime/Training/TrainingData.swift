import ModelCompiler
import ModelFormat

/// A data set prepared for one training program: features by graph input, each head's
/// encoded targets and sample weights, and its natural labels (for metrics), all indexed by
/// sample so batches are gathered by row.
struct TrainingData {
    /// Arrays fed to the graph, by input name (features, encoded targets, sample weights).
    var feeds: [String: Tensor]
    /// Natural labels by head index.
    var labels: [Int: Tensor]
    /// C, the number of classes (levels for ORDINAL, the value width for REAL) by head index,
    /// as the head's label encoder derived it: metrics count over the same classes.
    var classCounts: [Int: Int] = [:]
    var count: Int
    let file: String

    init(_ dataset: Dataset, program: TrainingProgram, file: String) throws(TrainingError) {
        self.file = file
        count = dataset.count
        feeds = [:]
        labels = [:]
        let graph = program.graph
        for name in program.featureInputs {
            guard var array = dataset.arrays[name] else {
                throw .missingArray(
                    name: name, file: file, available: Array(dataset.arrays.keys), role: "a graph input")
            }
            guard let id = graph.value(named: name) else { continue }
            let declared = graph[id].type
            if declared.dataType == .float && array.elementType != .float32 {
                array = Tensor(shape: array.shape, scalars: array.scalars)
            }
            if let dims = declared.dims {
                let perSample = Array(dims.dropFirst())
                let given = Array(array.shape.dropFirst())
                guard perSample.count == given.count,
                    zip(perSample, given).allSatisfy({ $0.fixedValue == nil || $0.fixedValue == $1 })
                else {
                    throw .arrayShape(
                        name: name, file: file, reason: "samples are \(given), the model expects \(declared) per batch")
                }
            }
            feeds[name] = array
        }
        for (index, head) in program.sourceModel.head.enumerated() {
            guard let targetName = program.targets[index] else { continue }
            guard let natural = dataset.arrays[head.target] else {
                throw .missingArray(
                    name: head.target, file: file, available: Array(dataset.arrays.keys),
                    role: "the natural labels of head '\(HeadDecoders.displayName(head))'")
            }
            guard let output = graph.value(named: head.output), let dims = graph[output].type.dims, dims.count >= 1
            else {
                throw .runtime(.bind(node: head.output, op: "head", reason: "the head output has no known shape"))
            }
            guard dims.count < 2 || dims[1].fixedValue != nil else {
                throw .runtime(
                    .bind(
                        node: head.output, op: "head",
                        reason:
                            "the width of the head output \(graph[output].type) is not known before running, so targets cannot be encoded"
                    ))
            }
            let width = dims.count > 1 ? dims[1].fixedValue ?? 1 : 1
            // Spatial dims only when all are known; otherwise the encoder reads them from the labels.
            let spatialDims = dims.dropFirst(2)
            let spatial =
                dims.count > 2 && spatialDims.allSatisfy({ $0.fixedValue != nil })
                ? spatialDims.compactMap(\.fixedValue) : nil
            do {
                let encoder = try LabelEncoder(head: head, outputWidth: width, spatialShape: spatial)
                feeds[targetName] = try encoder.encode(natural)
                classCounts[index] = encoder.classes
            } catch {
                let origin = dataset.labelOrigin.flatMap { $0.array == head.target ? $0 : nil }
                throw .encoding(
                    error, file: file, array: head.target, location: origin?.describe(sample: error.sample))
            }
            labels[index] = natural
            if let weightName = program.sampleWeights[index] {
                guard let weights = dataset.arrays[head.loss.sampleWeight] else {
                    throw .missingArray(
                        name: head.loss.sampleWeight, file: file, available: Array(dataset.arrays.keys),
                        role: "the sample weights of head '\(HeadDecoders.displayName(head))'")
                }
                guard weights.shape == [count] else {
                    throw .arrayShape(
                        name: head.loss.sampleWeight, file: file,
                        reason: "sample weights must be [\(count)], got \(weights.shape)")
                }
                feeds[weightName] =
                    weights.elementType == .float32 ? weights : Tensor(shape: weights.shape, scalars: weights.scalars)
            }
        }
    }

    /// The rows `indices` of every feed.
    func batch(_ indices: ArraySlice<Int>) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        batch(indices, into: &result)
        return result
    }

    /// The rows `indices` of the feeds named in `names` (all when nil), written into the
    /// tensors already in `result` when their shapes match (a trainer's steps reuse one set of
    /// batch tensors), else into new ones.
    func batch(_ indices: ArraySlice<Int>, names: Set<String>? = nil, into result: inout [String: Tensor]) {
        for (name, tensor) in feeds where names?.contains(name) ?? true {
            var batch = InferenceSession.reuse(
                &result, name, shape: tensor.shape, rows: indices.count, type: tensor.elementType)
            Self.copyRows(of: tensor, indices, into: &batch)
            result[name] = batch
        }
    }

    /// Rows `indices` of `tensor` (first axis).
    static func rows(of tensor: Tensor, _ indices: ArraySlice<Int>) -> Tensor {
        var shape = tensor.shape
        shape[0] = indices.count
        var result = Tensor(zeros: shape, type: tensor.elementType)
        copyRows(of: tensor, indices, into: &result)
        return result
    }

    /// Copies rows `indices` of `tensor` into `destination` (which has `indices.count` rows);
    /// a contiguous run of rows is one copy.
    private static func copyRows(of tensor: Tensor, _ indices: ArraySlice<Int>, into destination: inout Tensor) {
        let samples = tensor.shape.first ?? 0
        let rowBytes = samples == 0 ? 0 : tensor.count / samples * tensor.elementType.byteSize
        tensor.withUnsafeBytes { source in
            destination.withUnsafeMutableBytes { target in
                guard let from = source.baseAddress, let to = target.baseAddress, let first = indices.first else {
                    return
                }
                if let last = indices.last, last - first + 1 == indices.count, indices.elementsEqual(first...last) {
                    to.copyMemory(from: from + first * rowBytes, byteCount: indices.count * rowBytes)
                    return
                }
                for (position, row) in indices.enumerated() {
                    (to + position * rowBytes).copyMemory(from: from + row * rowBytes, byteCount: rowBytes)
                }
            }
        }
    }

    /// Holds out `fraction` of the samples (at least one, leaving at least one), chosen by a
    /// seeded shuffle: data files are often ordered (by class, by writer), so the last rows
    /// would not be a fair sample. Both parts keep the file's order.
    func split(validationFraction fraction: Double, seed: Int64) -> (TrainingData, TrainingData) {
        let held = min(count - 1, max(1, Int((Double(count) * fraction).rounded())))
        var generator = SplitMix64(seed: UInt64(bitPattern: seed) ^ 0x5EED_0F_5B11)
        var order = Array(0..<count)
        order.shuffle(using: &generator)
        let trainIndices = order[..<(count - held)].sorted()[...]
        let validationIndices = order[(count - held)...].sorted()[...]
        var train = self
        var validation = self
        train.feeds = batch(trainIndices)
        train.labels = labels.mapValues { Self.rows(of: $0, trainIndices) }
        validation.feeds = batch(validationIndices)
        validation.labels = labels.mapValues { Self.rows(of: $0, validationIndices) }
        train.count = trainIndices.count
        validation.count = validationIndices.count
        return (train, validation)
    }
}
