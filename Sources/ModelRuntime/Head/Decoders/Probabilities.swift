import Foundation
import ModelFormat

/// The activations decoders apply to logits, and the ranking order they share.
///
/// See `HeadDecoder` for when each activation applies. Softmax and sigmoid are the numerically
/// stable forms, so large logits give 0 or 1, never NaN.
enum Probabilities {
    /// Whether a softmax decoder (ARGMAX, CUMULATIVE_MASS) must apply softmax to `head`'s output:
    /// the loss is from logits, or it is NEGATIVE_LOG_LIKELIHOOD (log-probabilities).
    static func softmaxApplies(to head: ProtoHead) -> Bool {
        head.loss.fromLogits || head.loss.kind == .negativeLogLikelihood
    }

    /// Whether a per-unit decoder (THRESHOLD, NEAREST_CODE, ORDINAL_COUNT) must apply the
    /// sigmoid to `head`'s output: the loss is from logits.
    static func sigmoidApplies(to head: ProtoHead) -> Bool {
        head.loss.fromLogits
    }

    /// softmax(x)_c = exp(x_c − max x) / Σ_j exp(x_j − max x), summed in Float64.
    static func softmax(_ row: ArraySlice<Float>) -> [Float] {
        let largest = row.reduce(-Float.infinity) { Swift.max($0, $1) }
        if largest == .infinity {
            // +∞ logits take all the mass, shared equally; exp(∞ − ∞) would be NaN.
            let winners = Float(row.filter { $0 == .infinity }.count)
            return row.map { $0 == .infinity ? 1 / winners : 0 }
        }
        // All −∞ (or empty): nothing prefers any class, so the row is uniform rather than 0/0.
        if largest == -.infinity { return row.map { _ in 1 / Float(row.count) } }
        let exps = row.map { Foundation.exp(Double($0 - largest)) }
        let total = exps.reduce(0, +)
        return exps.map { Float($0 / total) }
    }

    /// The row's values after the decoder's activation (`softmax`, `sigmoid` or none).
    static func transform(
        _ row: ArraySlice<Float>, softmax applySoftmax: Bool = false, sigmoid applySigmoid: Bool = false
    ) -> [Float] {
        if applySoftmax { return softmax(row) }
        if applySigmoid { return row.map(Pointwise.sigmoid) }
        return Array(row)
    }

    /// The indices of `values` from the highest value down; equal values keep the lower index
    /// first, and NaN ranks last (as −∞), so the order is total and deterministic.
    static func ranked(_ values: [Float]) -> [Int] {
        let keys = values.map { $0.isNaN ? -Float.infinity : $0 }
        return values.indices.sorted { a, b in keys[a] > keys[b] || (keys[a] == keys[b] && a < b) }
    }
}
