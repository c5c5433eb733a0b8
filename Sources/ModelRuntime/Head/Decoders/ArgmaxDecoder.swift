import ModelFormat

/// ARGMAX: the `topK` highest-scoring classes of each sample, best first.
///
/// Output `[N, C]`. The score of a class is its probability: softmax of the row when the loss
/// is from logits (or NEGATIVE_LOG_LIKELIHOOD), else the output as it is (see `HeadDecoder`).
/// Equal scores rank the lower class index first; NaN ranks last. `topK` larger than C returns
/// all C classes. The default decoder of ONE_HOT heads.
public struct ArgmaxDecoder: HeadDecoder {
    /// The head's name, for error messages.
    public let headName: String
    /// C; nil takes it from the output width.
    public let classes: Int?
    /// Display names, one per class; empty means "0".."C-1".
    public let classLabels: [String]
    /// Apply softmax to each row before ranking and scoring.
    public let fromLogits: Bool
    /// Labels returned per sample, at least 1 (`decoder.top_k`, unset means 1).
    public let topK: Int

    /// An ARGMAX decoder from its settings.
    ///
    /// - Throws: `DecodeError.configuration` when `classes` or `topK` is below 1, or
    ///   `classLabels` does not have `classes` names.
    public init(
        headName: String = "", classes: Int? = nil, classLabels: [String] = [], fromLogits: Bool = false,
        topK: Int = 1
    ) throws(DecodeError) {
        let fields = DecoderFields(head: headName, kind: .argmax)
        self.classes = try fields.classes(classes)
        try fields.checkLabels(classLabels, classes: classes)
        guard topK >= 1 else { throw fields.failure("decoder.top_k", "is \(topK), but must be at least 1") }
        self.headName = headName
        self.classLabels = classLabels
        self.fromLogits = fromLogits
        self.topK = topK
    }

    /// The ARGMAX decoder of `head`: `encoding.num_classes`, `class_label`, `decoder.top_k`
    /// (0 means 1) and the loss's logits rule.
    public init(for head: ProtoHead) throws(DecodeError) {
        try self.init(
            headName: HeadDecoders.displayName(head), classes: DecoderFields.declaredClasses(head),
            classLabels: head.classLabel, fromLogits: Probabilities.softmaxApplies(to: head),
            topK: head.decoder.topK == 0 ? 1 : Int(clamping: head.decoder.topK))
    }

    public func decode(_ output: Tensor) throws(DecodeError) -> [Prediction] {
        let rows = try OutputRows(
            output, head: headName, decoder: .argmax, expectedWidth: classes, acceptsVector: false,
            reason: classes.map { "one score per class, \($0) classes" } ?? "one score per class")
        let names = try DecoderFields(head: headName, kind: .argmax).names(classLabels, classes: rows.width)
        return (0..<rows.count).map { sample in
            let scores = Probabilities.transform(rows[sample], softmax: fromLogits)
            let best = Probabilities.ranked(scores).prefix(topK)
            return Prediction(labels: Array(best), names: best.map { names[$0] }, scores: best.map { scores[$0] })
        }
    }
}
