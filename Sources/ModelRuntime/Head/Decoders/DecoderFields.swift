import ModelFormat

/// Checks the settings a decoder shares with others (class count, names, thresholds, caps) and
/// reports a bad one as `DecodeError.configuration` naming the head and the field.
struct DecoderFields {
    /// The head's name, for messages.
    let head: String
    /// The decoder kind, for messages.
    let kind: ProtoDecoder.Kind

    /// A configuration error on `field`.
    func failure(_ field: String, _ reason: String) -> DecodeError {
        .configuration(head: head, decoder: kind, field: field, reason: reason)
    }

    /// A class count (or level count) that is nil (taken from the output width) or at least `minimum`.
    func classes(
        _ value: Int?, minimum: Int = 1, field: String = "encoding.num_classes"
    ) throws(DecodeError) -> Int? {
        guard let value else { return nil }
        guard value >= minimum else { throw failure(field, "is \(value), but must be at least \(minimum)") }
        return value
    }

    /// `encoding.num_classes` as an optional count: 0 (unset) is nil.
    static func declaredClasses(_ head: ProtoHead) -> Int? {
        head.encoding.numClasses == 0 ? nil : Int(clamping: head.encoding.numClasses)
    }

    /// Checks that `labels` (the head's `class_label`) name exactly `classes` classes when both
    /// are known; an empty list is always fine.
    func checkLabels(_ labels: [String], classes: Int?) throws(DecodeError) {
        guard !labels.isEmpty, let classes, labels.count != classes else { return }
        throw failure(
            "class_label",
            "has \(labels.count) names, but the head has \(classes) classes; give one name per class "
                + "or none")
    }

    /// The display names of `classes` classes: `labels` when given, else "0", "1", ….
    func names(_ labels: [String], classes: Int) throws(DecodeError) -> [String] {
        try checkLabels(labels, classes: classes)
        return labels.isEmpty ? (0..<classes).map(String.init) : labels
    }

    /// A finite threshold.
    func threshold(_ value: Float, field: String = "decoder.threshold") throws(DecodeError) -> Float {
        guard value.isFinite else { throw failure(field, "is \(value), but must be a finite number") }
        return value
    }

    /// A label cap that is nil (no cap) or at least 1.
    func maxLabels(_ value: Int?) throws(DecodeError) -> Int? {
        guard let value else { return nil }
        guard value >= 1 else {
            throw failure("decoder.max_labels", "is \(value), but must be at least 1 (0 means no cap)")
        }
        return value
    }

    /// `decoder.max_labels` as an optional cap: 0 (unset) is nil.
    static func declaredMaxLabels(_ head: ProtoHead) -> Int? {
        head.decoder.maxLabels == 0 ? nil : Int(clamping: head.decoder.maxLabels)
    }

    /// `decoder.threshold`, 0.5 when unset.
    static func declaredThreshold(_ head: ProtoHead) -> Float {
        head.decoder.threshold == 0 ? 0.5 : head.decoder.threshold
    }
}
