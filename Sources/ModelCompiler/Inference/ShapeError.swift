/// Why a shape rule rejected a node's inputs; rendered with the node as
/// `Gemm 'fc2': inner dims differ: A is [N,512] (transA=0), B is [256,10] (transB=0)`.
public struct ShapeError: Error, Sendable, Equatable {
    /// Stable suffix of the diagnostic code (`shape.<rule>`), e.g. "inner-dims".
    public var rule: String
    /// What failed, with the operands and attributes involved.
    public var message: String

    public init(_ rule: String, _ message: String) {
        self.rule = rule
        self.message = message
    }

    /// Thrown by rules that cannot say anything when an input's rank is unknown.
    static let unknownRank = ShapeError("unknown-rank", "an input's rank is unknown")
}
