/// Upper bounds applied while reading untrusted model files.
///
/// Every bound is a named constant with its default, so a hostile file meets a clear,
/// typed error instead of exhausting memory. Raise them for unusually large models.
public struct FormatLimits: Sendable, Equatable {
    /// Largest model file read into memory, in bytes. Default 2 GiB (protobuf's own message limit).
    public var maxFileBytes: Int = 2 << 30
    /// Largest tensor, in bytes after decompression. Default 4 GiB.
    public var maxTensorBytes: Int = 4 << 30
    /// Largest tensor rank. Default 16 (convolutions need 5, ONNX models rarely exceed 8).
    public var maxRank: Int = 16
    /// Deepest protobuf message nesting accepted by the binary and text decoders. Default 64.
    public var maxMessageDepth: Int = 64
    /// Size from which external data is memory-mapped rather than read. Default 1 MiB.
    public var mapExternalDataFromBytes: Int = 1 << 20

    /// The defaults documented on each field.
    public static let `default` = FormatLimits()

    /// Limits with every field at its default.
    public init() {}
}
