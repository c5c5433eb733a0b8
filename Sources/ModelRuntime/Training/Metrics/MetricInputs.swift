import ModelFormat

/// Reads and checks the natural labels and the predictions a head's metrics compare.
///
/// Labels come from data files, predictions from a decoder; both are checked before any count
/// is taken, so a bad value is a `MetricError` naming the sample rather than a trap or a
/// silently wrong score.
struct MetricInputs {
    /// The head, for its encoding kind and `ignore_index`.
    let head: ProtoHead
    /// The head's name, for messages.
    let name: String
    /// C, the number of classes (unused for REAL).
    let classes: Int

    /// One true class per kept sample and each kept sample's decoded labels, leaving out samples
    /// whose label is the loss's `ignore_index`.
    func singleLabel(_ labels: Tensor, _ predictions: [Prediction]) throws(MetricError) -> ([Int], [[Int]]) {
        let shape = labels.shape
        guard shape.count == 1 || (shape.count == 2 && shape[1] == 1) else {
            throw shapeError(shape, "[N] or [N, 1], one class index per sample (flatten per-pixel labels into samples)")
        }
        var ignore: Int64?
        if case .ignoreIndex(let value) = head.loss.ignore { ignore = value }
        let allowed = "a class index in 0..<\(classes)" + (ignore.map { " or the ignore_index \($0)" } ?? "")
        let elements = LabelElements(labels)
        var truth: [Int] = []
        var predicted: [[Int]] = []
        truth.reserveCapacity(predictions.count)
        predicted.reserveCapacity(predictions.count)
        for sample in predictions.indices {
            let label: Int64
            switch elements.classIndex(sample) {
            case .index(let value): label = value
            case .huge(let value), .fractional(let value):
                throw labelError(sample, nil, LabelElements.written(value), allowed)
            case .nonFinite(let spelling): throw labelError(sample, nil, spelling, allowed)
            }
            if label == ignore { continue }
            guard label >= 0 && label < Int64(classes) else { throw labelError(sample, nil, String(label), allowed) }
            try checkClasses(predictions[sample], sample: sample)
            truth.append(Int(label))
            predicted.append(predictions[sample].labels)
        }
        guard !truth.isEmpty else {
            throw .empty(head: name, reason: "every one of the \(predictions.count) labels is the ignore_index")
        }
        return (truth, predicted)
    }

    /// The true and the predicted label set of each sample; labels are a 0/1 matrix `[N, C]`.
    func multiLabel(_ labels: Tensor, _ predictions: [Prediction]) throws(MetricError) -> ([Set<Int>], [Set<Int>]) {
        let shape = labels.shape
        guard (shape.count == 2 && shape[1] == classes) || (shape.count == 1 && classes == 1) else {
            throw shapeError(shape, "[N, \(classes)], one 0/1 entry per class")
        }
        let elements = LabelElements(labels)
        var truth: [Set<Int>] = []
        var predicted: [Set<Int>] = []
        truth.reserveCapacity(predictions.count)
        predicted.reserveCapacity(predictions.count)
        for sample in predictions.indices {
            var row = Set<Int>()
            for column in 0..<classes {
                switch elements.binary(sample * classes + column) {
                case .zero: break
                case .one: row.insert(column)
                case .other(let value): throw labelError(sample, column, LabelElements.written(value), "0 or 1")
                case .nonFinite(let spelling): throw labelError(sample, column, spelling, "0 or 1")
                }
            }
            try checkClasses(predictions[sample], sample: sample)
            truth.append(row)
            predicted.append(Set(predictions[sample].labels))
        }
        return (truth, predicted)
    }

    /// The true and the predicted values, both N·W row-major, and W; labels are `[N]` or `[N, W]`.
    func values(_ labels: Tensor, _ predictions: [Prediction]) throws(MetricError) -> ([Float], [Float], Int) {
        let shape = labels.shape
        guard shape.count == 1 || (shape.count == 2 && shape[1] >= 1) else {
            throw shapeError(shape, "[N] or [N, W] with W ≥ 1, the values of each sample")
        }
        let width = shape.count == 2 ? shape[1] : 1
        let elements = LabelElements(labels)
        var truth = [Float](repeating: 0, count: labels.count)
        for index in truth.indices {
            switch elements.real(index) {
            case .success(let value):
                truth[index] = value
            case .failure(let nonFinite):
                throw labelError(
                    index / width, shape.count == 2 ? index % width : nil, nonFinite.spelling, "a finite number")
            }
        }
        var predicted: [Float] = []
        predicted.reserveCapacity(truth.count)
        for (sample, prediction) in predictions.enumerated() {
            guard let value = prediction.value, value.count == width else {
                let given =
                    prediction.value.map { "has \($0.count) values" } ?? "has no value (not an IDENTITY decoder?)"
                throw .invalidPrediction(
                    head: name, sample: sample, reason: "\(given), but the labels have \(width) per sample")
            }
            predicted.append(contentsOf: value)
        }
        return (truth, predicted, width)
    }

    /// Checks that every label of `prediction` is a class in 0..<C.
    private func checkClasses(_ prediction: Prediction, sample: Int) throws(MetricError) {
        if let label = prediction.labels.first(where: { $0 < 0 || $0 >= classes }) {
            throw .invalidPrediction(
                head: name, sample: sample, reason: "has label \(label), outside the classes 0..<\(classes)")
        }
    }

    private func shapeError(_ shape: [Int], _ expected: String) -> MetricError {
        .labelShape(head: name, encoding: head.encoding.kind, shape: shape, expected: expected)
    }

    private func labelError(_ sample: Int, _ column: Int?, _ value: String, _ allowed: String) -> MetricError {
        .invalidLabel(head: name, sample: sample, column: column, value: value, allowed: allowed)
    }
}
