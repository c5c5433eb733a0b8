import ModelFormat

/// CUMULATIVE_MASS: the most probable classes whose probabilities together reach `mass`.
///
/// Output `[N, C]`. Probabilities are the softmax of the row when the loss is from logits (or
/// NEGATIVE_LOG_LIKELIHOOD), else the output itself (see `HeadDecoder`). Classes are taken in
/// decreasing probability (ties: lower index first) until their running sum reaches `mass`
/// (default 0.95), so the class that crosses the mark is included; at most `maxLabels` are
/// kept. The sum is compared with `mass − 1e-6`, since a softmax row sums to 1 only within
/// Float rounding: with `mass = 1` the decoder stops at the last nonzero class instead of
/// adding zero-probability ones. A row whose probabilities never reach `mass` returns every
/// class (up to the cap). Scores are the probabilities. The default decoder of
/// SOFT_MULTI_LABEL heads (trained with softmax cross-entropy against 1/k targets).
public struct CumulativeMassDecoder: HeadDecoder {
    /// Slack on the running sum, so rounding in a softmax row does not add an extra class.
    public static let massTolerance = 1e-6

    /// The head's name, for error messages.
    public let headName: String
    /// C; nil takes it from the output width.
    public let classes: Int?
    /// Display names, one per class; empty means "0".."C-1".
    public let classLabels: [String]
    /// Apply softmax to each row first.
    public let fromLogits: Bool
    /// The probability mass to cover, in (0, 1] (`decoder.mass`, unset means 0.95).
    public let mass: Float
    /// The most labels per sample (`decoder.max_labels`); nil means no cap.
    public let maxLabels: Int?

    /// A CUMULATIVE_MASS decoder from its settings.
    ///
    /// - Throws: `DecodeError.configuration` for a class count below 1, `mass` outside (0, 1],
    ///   `classLabels` of the wrong length, or `maxLabels` below 1.
    public init(
        headName: String = "", classes: Int? = nil, classLabels: [String] = [], fromLogits: Bool = false,
        mass: Float = 0.95, maxLabels: Int? = nil
    ) throws(DecodeError) {
        let fields = DecoderFields(head: headName, kind: .cumulativeMass)
        self.classes = try fields.classes(classes)
        try fields.checkLabels(classLabels, classes: classes)
        guard mass > 0, mass <= 1 else {
            throw fields.failure("decoder.mass", "is \(mass), but must be in (0, 1] (a share of probability)")
        }
        self.maxLabels = try fields.maxLabels(maxLabels)
        self.headName = headName
        self.classLabels = classLabels
        self.fromLogits = fromLogits
        self.mass = mass
    }

    /// The CUMULATIVE_MASS decoder of `head`: `encoding.num_classes`, `class_label`,
    /// `decoder.mass` (0 means 0.95), `decoder.max_labels` and the loss's logits rule.
    public init(for head: ProtoHead) throws(DecodeError) {
        try self.init(
            headName: HeadDecoders.displayName(head), classes: DecoderFields.declaredClasses(head),
            classLabels: head.classLabel, fromLogits: Probabilities.softmaxApplies(to: head),
            mass: head.decoder.mass == 0 ? 0.95 : head.decoder.mass, maxLabels: DecoderFields.declaredMaxLabels(head))
    }

    public func decode(_ output: Tensor) throws(DecodeError) -> [Prediction] {
        let rows = try OutputRows(
            output, head: headName, decoder: .cumulativeMass, expectedWidth: classes, acceptsVector: false,
            reason: "one probability per class" + (classes.map { ", \($0) classes" } ?? ""))
        let names = try DecoderFields(head: headName, kind: .cumulativeMass).names(classLabels, classes: rows.width)
        let target = Double(mass) - Self.massTolerance
        let cap = maxLabels ?? rows.width
        return (0..<rows.count).map { sample in
            let probabilities = Probabilities.transform(rows[sample], softmax: fromLogits)
            var chosen: [Int] = []
            var covered = 0.0
            for c in Probabilities.ranked(probabilities) where covered < target && chosen.count < cap {
                chosen.append(c)
                covered += Double(probabilities[c])
            }
            return Prediction(labels: chosen, names: chosen.map { names[$0] }, scores: chosen.map { probabilities[$0] })
        }
    }
}
