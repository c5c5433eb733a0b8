import ModelCompiler
import ModelFormat

/// Chooses and builds the decoder of a head from its `Decoder` and `LabelEncoding` messages.
public enum HeadDecoders {
    /// The decoder kind a head uses: `decoder.kind` when set, else the one its encoding implies.
    ///
    /// | encoding | decoder when `decoder.kind` is KIND_UNSPECIFIED |
    /// |---|---|
    /// | ONE_HOT | ARGMAX |
    /// | MULTI_HOT | THRESHOLD |
    /// | SOFT_MULTI_LABEL | CUMULATIVE_MASS |
    /// | BINARY_CODE | NEAREST_CODE |
    /// | ORDINAL | ORDINAL_COUNT |
    /// | REAL | IDENTITY |
    ///
    /// - Throws: `DecodeError.configuration` when neither the decoder nor the encoding names a
    ///   known kind.
    public static func kind(for head: ProtoHead) throws(DecodeError) -> ProtoDecoder.Kind {
        let declared = head.decoder.kind
        switch declared {
        case .argmax, .threshold, .cumulativeMass, .nearestCode, .ordinalCount, .identity:
            return declared
        case .UNRECOGNIZED(let raw):
            throw .configuration(
                head: displayName(head), decoder: declared, field: "decoder.kind",
                reason: "\(raw) is not a decoder kind this runtime knows (1 ARGMAX … 6 IDENTITY)")
        case .unspecified:
            break
        }
        let derived = head.encoding.kind.defaultDecoder
        guard derived != .unspecified else {
            throw .configuration(
                head: displayName(head), decoder: .unspecified, field: "decoder.kind",
                reason: "no decoder kind is set and encoding.kind is unset or unknown, so nothing says how "
                    + "to decode; set decoder.kind or encoding.kind")
        }
        return derived
    }

    /// The decoder for `head`, configured from its decoder fields (defaults for unset ones), its
    /// encoding (class count, code), `class_label` and `loss.from_logits`.
    ///
    /// - Throws: `DecodeError.configuration` for a kind that cannot be chosen or a field out of
    ///   range (see each decoder's `init(for:)`).
    public static func make(for head: ProtoHead) throws(DecodeError) -> any HeadDecoder {
        switch try kind(for: head) {
        case .argmax: try ArgmaxDecoder(for: head)
        case .threshold: try ThresholdDecoder(for: head)
        case .cumulativeMass: try CumulativeMassDecoder(for: head)
        case .nearestCode: try NearestCodeDecoder(for: head)
        case .ordinalCount: try OrdinalCountDecoder(for: head)
        case .identity: try IdentityDecoder(for: head)
        case let other:
            // `kind(for:)` resolves unspecified kinds and rejects unknown ones.
            throw .configuration(
                head: displayName(head), decoder: other, field: "decoder.kind", reason: "no decoder for this kind")
        }
    }

    /// The head's name for messages: `name`, or its output value when the name is empty.
    static func displayName(_ head: ProtoHead) -> String {
        head.name.isEmpty ? head.output : head.name
    }
}
