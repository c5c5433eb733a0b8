/// The decoded answer of one head for one sample: natural labels, their names and scores.
///
/// A decoder maps one row of a head's output (`[C]` of an `[N, C]` tensor) to one prediction
/// (DESIGN §3: "the decoder maps network output back to natural labels"). Classification
/// decoders fill `labels`, `names` and `scores` in step, best label first; IDENTITY fills
/// `value` and leaves the three arrays empty. Encoded as one JSON object per sample by
/// `modelrun infer --decode` (JSON lines), e.g.
/// `{"labels":[3],"names":["cat"],"scores":[0.91]}`.
public struct Prediction: Sendable, Equatable, Codable {
    /// Class indices (or the ordinal level), best first; empty when no label passes (THRESHOLD).
    public var labels: [Int]
    /// The display name of each label: the head's `class_label[c]`, or `"c"` when none are given.
    public var names: [String]
    /// One score per label, in [0, 1] for probabilities; what it measures depends on the
    /// decoder (see each decoder's documentation; NEAREST_CODE in Hamming mode gives distances).
    public var scores: [Float]
    /// The output row as it is, for IDENTITY (regression); nil for classification decoders.
    public var value: [Float]?

    /// A prediction from its parts; `labels`, `names` and `scores` have one entry per label.
    public init(labels: [Int] = [], names: [String] = [], scores: [Float] = [], value: [Float]? = nil) {
        self.labels = labels
        self.names = names
        self.scores = scores
        self.value = value
    }
}
