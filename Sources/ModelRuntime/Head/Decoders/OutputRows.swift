import ModelFormat

/// A head's output checked against the width the head needs and split into one row per sample.
///
/// `[N, W]` gives N rows of W values; `[N]` gives N rows of one value when the decoder accepts
/// a vector and the head needs width 1 (or any width). Any other rank, or a width other than the
/// expected one, is a `DecodeError.outputShape` that shows both shapes.
struct OutputRows {
    /// N, the number of samples.
    let count: Int
    /// W, the values per sample.
    let width: Int
    private let scalars: [Float]

    /// Checks `output`'s shape and reads its values.
    ///
    /// - Parameters:
    ///   - expectedWidth: the width the head needs; nil accepts any width ≥ 1.
    ///   - acceptsVector: whether `[N]` stands for `[N, 1]`.
    ///   - reason: why the head needs that width, for the error message.
    init(
        _ output: Tensor, head: String, decoder: ProtoDecoder.Kind, expectedWidth: Int?, acceptsVector: Bool,
        reason: String
    ) throws(DecodeError) {
        let shape = output.shape
        let mismatch = DecodeError.outputShape(
            head: head, decoder: decoder, expectedWidth: expectedWidth, acceptsVector: acceptsVector, actual: shape,
            reason: reason)
        switch shape.count {
        case 2:
            guard shape[1] >= 1, expectedWidth.map({ $0 == shape[1] }) ?? true else { throw mismatch }
            (count, width) = (shape[0], shape[1])
        case 1:
            guard acceptsVector, (expectedWidth ?? 1) == 1 else { throw mismatch }
            (count, width) = (shape[0], 1)
        default:
            throw mismatch
        }
        scalars = output.scalars
    }

    /// The values of sample `index` (`0..<count`).
    subscript(index: Int) -> ArraySlice<Float> {
        scalars[(index * width)..<((index + 1) * width)]
    }
}
