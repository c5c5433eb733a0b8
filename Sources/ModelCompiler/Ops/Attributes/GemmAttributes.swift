/// Gemm's and FusedGemm's attributes, decoded once (ONNX Gemm-13): Y = alpha·A'·B' + beta·C.
///
/// The shape rule, the checker and the kernel all read these, so a `transB` of 2 is an error
/// everywhere instead of "transposed" for one and "not transposed" for the other.
public struct GemmAttributes: Sendable, Equatable {
    public var alpha: Float
    public var beta: Float
    public var transA: Bool
    public var transB: Bool

    public init(_ attributes: Attributes) throws(AttributeError) {
        alpha = attributes.float("alpha", default: 1)
        beta = attributes.float("beta", default: 1)
        transA = try attributes.flag("transA", default: false)
        transB = try attributes.flag("transB", default: false)
    }
}
