import ModelFormat

/// `head.threshold-out-of-range` (warning): a decoder threshold (`decoder.threshold` or a
/// `class_threshold`) outside the range of the values it is compared with, so it fires for
/// every sample or for none.
///
/// THRESHOLD, ORDINAL_COUNT and NEAREST_CODE compare the sigmoid of the output when the loss is
/// from logits, in (0, 1); otherwise the output itself, whose range the activation in front of
/// it gives (Sigmoid and Softmax [0, 1], Tanh [−1, 1], Relu [0, ∞), LogSoftmax (−∞, 0]). A linear
/// output is unbounded and never reported. A threshold t fires for none when t ≥ the top of the
/// range (t = 1 only on saturated outputs) and for all when t ≤ the bottom.
enum ThresholdOutOfRangeCheck: HeadCheck {
    /// The values the decoder compares, as (low, high), or nil when unbounded or unknown.
    static func range(_ head: HeadView) -> (low: Double, high: Double)? {
        if head.head.loss.fromLogits { return (0, 1) }
        switch head.activation {
        case .sigmoid, .softmax: return (0, 1)
        case .tanh: return (-1, 1)
        case .relu: return (0, .infinity)
        case .logSoftmax: return (-.infinity, 0)
        case .none, .other: return nil
        }
    }

    static func check(_ head: HeadView) -> [Diagnostic] {
        guard [.threshold, .ordinalCount, .nearestCode].contains(head.effectiveDecoder), let range = range(head)
        else { return [] }
        let decoder = head.head.decoder
        // Unset (0) means 0.5, which lies inside every range above.
        var thresholds: [(field: String, value: Float)] = []
        if decoder.threshold != 0 { thresholds.append(("decoder.threshold", decoder.threshold)) }
        for (index, value) in decoder.classThreshold.enumerated() where head.effectiveDecoder == .threshold {
            thresholds.append(("decoder.class_threshold[\(index)]", value))
        }
        let source =
            head.head.loss.fromLogits
            ? "the sigmoid of the output (from_logits: true)" : "the output of \(head.activationPhrase)"
        let shown = "[\(format(range.low)), \(format(range.high))]"
        return thresholds.compactMap { field, value in
            let t = Double(value)
            let effect: String
            if t >= range.high {
                effect = "no sample ever reaches it"
            } else if t <= range.low {
                effect = "every sample passes it"
            } else {
                return nil
            }
            return Diagnostic(
                .warning, "head.threshold-out-of-range", .init(field: field),
                "\(field) is \(value), but the decoder compares it with \(source), which lies in \(shown), so "
                    + effect,
                fix: "choose a threshold inside \(shown), e.g. 0.5 for probabilities")
        }
    }

    private static func format(_ value: Double) -> String {
        value.isInfinite ? (value > 0 ? "∞" : "−∞") : String(format: "%g", value)
    }
}
