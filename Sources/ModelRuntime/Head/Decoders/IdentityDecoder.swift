import ModelFormat

/// IDENTITY: each output row as it is, in `Prediction.value` (regression).
///
/// Output `[N, W]` or `[N]` (one value per sample). No activation is applied, whatever the
/// loss; `labels`, `names` and `scores` stay empty. The default decoder of REAL heads, whose
/// `num_classes` is the output width.
public struct IdentityDecoder: HeadDecoder {
    /// The head's name, for error messages.
    public let headName: String
    /// W, the values per sample; nil accepts any width.
    public let width: Int?

    /// An IDENTITY decoder for outputs of `width` values per sample (nil: any).
    ///
    /// - Throws: `DecodeError.configuration` when `width` is below 1.
    public init(headName: String = "", width: Int? = nil) throws(DecodeError) {
        self.width = try DecoderFields(head: headName, kind: .identity).classes(width)
        self.headName = headName
    }

    /// The IDENTITY decoder of `head`, its width from `encoding.num_classes` (0 means any).
    public init(for head: ProtoHead) throws(DecodeError) {
        try self.init(headName: HeadDecoders.displayName(head), width: DecoderFields.declaredClasses(head))
    }

    public func decode(_ output: Tensor) throws(DecodeError) -> [Prediction] {
        let rows = try OutputRows(
            output, head: headName, decoder: .identity, expectedWidth: width, acceptsVector: true,
            reason: width.map { "encoding.num_classes is \($0), the value width" } ?? "")
        return (0..<rows.count).map { Prediction(value: Array(rows[$0])) }
    }
}
