import ModelFormat

/// `head.out-of-range` (error): a number of the head that no encoder, loss or decoder can use
/// as written. Unset (0) fields take their defaults and are not reported.
///
/// - `encoding.label_smoothing` in [0, 1): ε = 1 would make every target uniform;
/// - `loss.epsilon` in [0, 0.5): the clip range [ε, 1 − ε] must not be empty;
/// - `loss.delta` ≥ 0 (HUBER's threshold), `loss.class_weight` and `loss.pos_weight` entries ≥ 0;
/// - `decoder.mass` in [0, 1] (a cumulative probability), `decoder.top_k` and
///   `decoder.max_labels` ≥ 0, `decoder.threshold` and `class_threshold` finite;
/// and every one of them finite.
enum NumericFieldRangeCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        let proto = head.head
        var findings: [Diagnostic] = []
        func require(_ field: String, _ value: Float, _ rule: String, _ holds: (Float) -> Bool) {
            guard !(value.isFinite && holds(value)) else { return }
            findings.append(
                Diagnostic(
                    .error, "head.out-of-range", .init(field: field), "\(field) is \(value); it must \(rule)",
                    fix: "give a value in range, or leave the field unset for its default"))
        }
        require("encoding.label_smoothing", proto.encoding.labelSmoothing, "lie in [0, 1)") { $0 >= 0 && $0 < 1 }
        require("loss.epsilon", proto.loss.epsilon, "lie in [0, 0.5) so that [ε, 1 − ε] is not empty") {
            $0 >= 0 && $0 < 0.5
        }
        require("loss.delta", proto.loss.delta, "be >= 0") { $0 >= 0 }
        for (index, weight) in proto.loss.classWeight.enumerated() {
            require("loss.class_weight[\(index)]", weight, "be a finite number >= 0") { $0 >= 0 }
        }
        for (index, weight) in proto.loss.posWeight.enumerated() {
            require("loss.pos_weight[\(index)]", weight, "be a finite number >= 0") { $0 >= 0 }
        }
        require("decoder.mass", proto.decoder.mass, "lie in [0, 1] (a cumulative probability)") { $0 >= 0 && $0 <= 1 }
        require("decoder.threshold", proto.decoder.threshold, "be a finite number") { _ in true }
        for (index, threshold) in proto.decoder.classThreshold.enumerated() {
            require("decoder.class_threshold[\(index)]", threshold, "be a finite number") { _ in true }
        }
        for (field, value) in [("decoder.top_k", proto.decoder.topK), ("decoder.max_labels", proto.decoder.maxLabels)]
        where value < 0 {
            findings.append(
                Diagnostic(
                    .error, "head.out-of-range", .init(field: field), "\(field) is \(value); it must be >= 0",
                    fix: "leave it unset (0) for the default"))
        }
        return findings
    }
}
