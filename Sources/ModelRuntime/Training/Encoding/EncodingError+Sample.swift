extension EncodingError {
    /// The sample (row of the labels array) the error is about, when it is about one.
    public var sample: Int? {
        switch self {
        case .labelOutOfRange(_, _, let sample, _, _, _, _), .nonIntegerLabel(_, _, let sample, _, _),
            .nonFinite(_, _, let sample, _, _, _), .notBinary(_, _, let sample, _, _, _),
            .emptyRow(_, _, let sample, _):
            sample
        case .configuration, .labelShape, .rowWidth, .tooLarge:
            nil
        }
    }
}
