import ModelFormat

/// ORDINAL_COUNT: the level of an ORDINAL head, the number of its C − 1 outputs above `threshold`.
///
/// Output `[N, C − 1]` (or `[N]` for two levels): output j estimates P(level > j), so a level-k
/// target is k ones followed by zeros. Probabilities are the sigmoid of the output when the
/// loss is from logits, else the output itself (see `HeadDecoder`). The level is the count of
/// p_j > `threshold` (default 0.5; strictly above, as "outputs above the threshold" says, so
/// p_j = 0.5 does not count). The count is used even when the outputs are not monotone.
///
/// The score is the probability that every one of the C − 1 decisions is the one taken:
/// Π_j (p_j if p_j counted, else 1 − p_j), treating the units as independent; it is 1 only
/// for outputs of exactly 0 and 1. The default decoder of ORDINAL heads.
public struct OrdinalCountDecoder: HeadDecoder {
    /// The head's name, for error messages.
    public let headName: String
    /// C, the number of levels (at least 2); nil takes it from the output width plus one.
    public let levels: Int?
    /// Display names, one per level; empty means "0".."C-1".
    public let classLabels: [String]
    /// Apply the sigmoid to each output first.
    public let fromLogits: Bool
    /// The probability an output must exceed to count (`decoder.threshold`, unset means 0.5).
    public let threshold: Float

    /// An ORDINAL_COUNT decoder from its settings.
    ///
    /// - Throws: `DecodeError.configuration` for fewer than 2 levels, `classLabels` of the wrong
    ///   length, or a threshold that is not finite.
    public init(
        headName: String = "", levels: Int? = nil, classLabels: [String] = [], fromLogits: Bool = false,
        threshold: Float = 0.5
    ) throws(DecodeError) {
        let fields = DecoderFields(head: headName, kind: .ordinalCount)
        self.levels = try fields.classes(levels, minimum: 2)
        try fields.checkLabels(classLabels, classes: levels)
        self.threshold = try fields.threshold(threshold)
        self.headName = headName
        self.classLabels = classLabels
        self.fromLogits = fromLogits
    }

    /// The ORDINAL_COUNT decoder of `head`: `encoding.num_classes` as the level count,
    /// `class_label`, `decoder.threshold` and `loss.from_logits`.
    public init(for head: ProtoHead) throws(DecodeError) {
        try self.init(
            headName: HeadDecoders.displayName(head), levels: DecoderFields.declaredClasses(head),
            classLabels: head.classLabel, fromLogits: Probabilities.sigmoidApplies(to: head),
            threshold: DecoderFields.declaredThreshold(head))
    }

    public func decode(_ output: Tensor) throws(DecodeError) -> [Prediction] {
        let rows = try OutputRows(
            output, head: headName, decoder: .ordinalCount, expectedWidth: levels.map { $0 - 1 }, acceptsVector: true,
            reason: "one unit per threshold between consecutive levels"
                + (levels.map { ", C − 1 = \($0 - 1) for \($0) levels" } ?? ""))
        let names = try DecoderFields(head: headName, kind: .ordinalCount).names(classLabels, classes: rows.width + 1)
        return (0..<rows.count).map { sample in
            let probabilities = Probabilities.transform(rows[sample], sigmoid: fromLogits)
            var level = 0
            var confidence: Float = 1
            for p in probabilities {
                if p > threshold {
                    level += 1
                    confidence *= p
                } else {
                    confidence *= 1 - p
                }
            }
            return Prediction(labels: [level], names: [names[level]], scores: [confidence])
        }
    }
}
