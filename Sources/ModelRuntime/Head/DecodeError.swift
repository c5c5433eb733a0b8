import ModelFormat

/// Why a head's output cannot be decoded: its shape does not fit the head, or the head's
/// encoding and decoder fields do not describe a usable decoder.
///
/// Every case names the head and the decoder kind; shape errors carry the expected and the
/// actual shape, rendered as `head 'digits' (ARGMAX): output shape [2, 7] does not match [N, 10]: …`.
public enum DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The output tensor's shape does not fit the head.
    ///
    /// - Parameters:
    ///   - expectedWidth: the class-axis size the head needs, nil when any width ≥ 1 will do.
    ///   - acceptsVector: whether an `[N]` output is accepted as `[N, 1]`.
    ///   - actual: the shape of the tensor given.
    ///   - reason: one phrase saying where the expected width comes from.
    case outputShape(
        head: String, decoder: ProtoDecoder.Kind, expectedWidth: Int?, acceptsVector: Bool, actual: [Int],
        reason: String)
    /// A field of the head (`encoding.*`, `decoder.*`, `class_label`) cannot be decoded with.
    case configuration(head: String, decoder: ProtoDecoder.Kind, field: String, reason: String)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .outputShape: "decode.output-shape"
        case .configuration: "decode.configuration"
        }
    }

    /// The shape the head needs, as text: `[N, 10]`, `[N, 1] or [N]`, or `[N, C]` when any width will do.
    public var expectedShape: String? {
        guard case .outputShape(_, _, let width, let acceptsVector, _, _) = self else { return nil }
        let matrix = "[N, \(width.map(String.init) ?? "C")]"
        return acceptsVector && (width ?? 1) == 1 ? "\(matrix) or [N]" : matrix
    }

    public var description: String {
        switch self {
        case .outputShape(let head, let decoder, _, _, let actual, let reason):
            let actualShape = "[" + actual.map(String.init).joined(separator: ", ") + "]"
            return "head '\(head)' (\(Self.spelled(decoder))): output shape \(actualShape) does not match "
                + "\(expectedShape ?? "")" + (reason.isEmpty ? "" : ": \(reason)")
        case .configuration(let head, let decoder, let field, let reason):
            return "head '\(head)' (\(Self.spelled(decoder))): \(field): \(reason)"
        }
    }

    /// The decoder kind as spelled in the format (`CUMULATIVE_MASS`).
    static func spelled(_ kind: ProtoDecoder.Kind) -> String {
        switch kind {
        case .unspecified: "KIND_UNSPECIFIED"
        case .argmax: "ARGMAX"
        case .threshold: "THRESHOLD"
        case .cumulativeMass: "CUMULATIVE_MASS"
        case .nearestCode: "NEAREST_CODE"
        case .ordinalCount: "ORDINAL_COUNT"
        case .identity: "IDENTITY"
        case .UNRECOGNIZED(let raw): "decoder kind \(raw)"
        }
    }

    /// The encoding kind as spelled in the format (`BINARY_CODE`).
    static func spelled(_ kind: ProtoLabelEncoding.Kind) -> String {
        switch kind {
        case .unspecified: "KIND_UNSPECIFIED"
        case .oneHot: "ONE_HOT"
        case .multiHot: "MULTI_HOT"
        case .softMultiLabel: "SOFT_MULTI_LABEL"
        case .binaryCode: "BINARY_CODE"
        case .ordinal: "ORDINAL"
        case .real: "REAL"
        case .UNRECOGNIZED(let raw): "encoding kind \(raw)"
        }
    }
}
