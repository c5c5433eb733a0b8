import ModelFormat

/// THRESHOLD: every class whose probability reaches its threshold, highest probability first.
///
/// Output `[N, C]` (or `[N]` for a single binary label). Class c is returned when
/// p_c ≥ `classThreshold[c]` if given, else p_c ≥ `threshold` (default 0.5), where p is the
/// sigmoid of the output when the loss is from logits, else the output itself (see
/// `HeadDecoder`). At most `maxLabels` labels are kept, the most probable ones; ties rank the
/// lower class index first. A sample with no class over its threshold gets an empty
/// prediction. Scores are the probabilities p_c. The default decoder of MULTI_HOT heads.
public struct ThresholdDecoder: HeadDecoder {
    /// The head's name, for error messages.
    public let headName: String
    /// C; nil takes it from the output width.
    public let classes: Int?
    /// Display names, one per class; empty means "0".."C-1".
    public let classLabels: [String]
    /// Apply the sigmoid to each output before thresholding.
    public let fromLogits: Bool
    /// The probability a class needs (`decoder.threshold`, unset means 0.5).
    public let threshold: Float
    /// Per-class thresholds that override `threshold` (`decoder.class_threshold`); empty or C long.
    public let classThreshold: [Float]
    /// The most labels per sample (`decoder.max_labels`); nil means no cap.
    public let maxLabels: Int?

    /// A THRESHOLD decoder from its settings.
    ///
    /// - Throws: `DecodeError.configuration` for a class count below 1, a non-finite
    ///   threshold, `classThreshold` or `classLabels` of the wrong length, or `maxLabels` below 1.
    public init(
        headName: String = "", classes: Int? = nil, classLabels: [String] = [], fromLogits: Bool = false,
        threshold: Float = 0.5, classThreshold: [Float] = [], maxLabels: Int? = nil
    ) throws(DecodeError) {
        let fields = DecoderFields(head: headName, kind: .threshold)
        self.classes = try fields.classes(classes)
        try fields.checkLabels(classLabels, classes: classes)
        self.threshold = try fields.threshold(threshold)
        for value in classThreshold { _ = try fields.threshold(value, field: "decoder.class_threshold") }
        if let classes, !classThreshold.isEmpty, classThreshold.count != classes {
            throw fields.failure(
                "decoder.class_threshold", "has \(classThreshold.count) values, but the head has \(classes) classes")
        }
        self.maxLabels = try fields.maxLabels(maxLabels)
        self.headName = headName
        self.classLabels = classLabels
        self.fromLogits = fromLogits
        self.classThreshold = classThreshold
    }

    /// The THRESHOLD decoder of `head`: `encoding.num_classes`, `class_label`,
    /// `decoder.threshold`, `decoder.class_threshold`, `decoder.max_labels` and `loss.from_logits`.
    public init(for head: ProtoHead) throws(DecodeError) {
        try self.init(
            headName: HeadDecoders.displayName(head), classes: DecoderFields.declaredClasses(head),
            classLabels: head.classLabel, fromLogits: Probabilities.sigmoidApplies(to: head),
            threshold: DecoderFields.declaredThreshold(head), classThreshold: head.decoder.classThreshold,
            maxLabels: DecoderFields.declaredMaxLabels(head))
    }

    public func decode(_ output: Tensor) throws(DecodeError) -> [Prediction] {
        let rows = try OutputRows(
            output, head: headName, decoder: .threshold,
            expectedWidth: classes ?? (classThreshold.isEmpty ? nil : classThreshold.count), acceptsVector: true,
            reason: "one probability per class" + (classes.map { ", \($0) classes" } ?? ""))
        let names = try DecoderFields(head: headName, kind: .threshold).names(classLabels, classes: rows.width)
        return (0..<rows.count).map { sample in
            let probabilities = Probabilities.transform(rows[sample], sigmoid: fromLogits)
            var chosen = Probabilities.ranked(probabilities).filter { c in
                probabilities[c] >= (classThreshold.isEmpty ? threshold : classThreshold[c])
            }
            if let maxLabels, chosen.count > maxLabels { chosen.removeLast(chosen.count - maxLabels) }
            return Prediction(labels: chosen, names: chosen.map { names[$0] }, scores: chosen.map { probabilities[$0] })
        }
    }
}
