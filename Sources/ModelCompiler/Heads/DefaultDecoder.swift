import ModelFormat

extension ProtoLabelEncoding.Kind {
    /// The decoder a head uses when `decoder.kind` is unset (DESIGN §3): ONE_HOT → ARGMAX,
    /// MULTI_HOT → THRESHOLD, SOFT_MULTI_LABEL → CUMULATIVE_MASS, BINARY_CODE → NEAREST_CODE,
    /// ORDINAL → ORDINAL_COUNT, REAL → IDENTITY; KIND_UNSPECIFIED when the encoding is unset or
    /// unknown. The head lints and the runtime's decoders both read this table.
    public var defaultDecoder: ProtoDecoder.Kind {
        switch self {
        case .oneHot: .argmax
        case .multiHot: .threshold
        case .softMultiLabel: .cumulativeMass
        case .binaryCode: .nearestCode
        case .ordinal: .ordinalCount
        case .real: .identity
        case .unspecified, .UNRECOGNIZED: .unspecified
        }
    }
}
