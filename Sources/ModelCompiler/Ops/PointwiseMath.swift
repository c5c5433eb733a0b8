// Pointwise ops added for the opset 13-25 importers: the error function, hard (piecewise
// linear) activations, reciprocal and the rounding family.

extension OpSchema {
    private static func pointwise(_ type: OpType, _ summary: String, _ attributes: [AttributeSpec] = []) -> OpSchema {
        OpSchema(
            type: type, summary: summary, inputs: [Port("X")], outputs: [Port("Y")], attributes: attributes,
            inferTypes: ShapeRules.sameAsInput)
    }

    static let ceil = pointwise(.ceil, "Y = the smallest integer >= X (ONNX Ceil-13)")
    static let erf = pointwise(.erf, "Y = erf(X) = 2/sqrt(pi) * integral of e^-t^2 from 0 to X (ONNX Erf-13)")
    static let floor = pointwise(.floor, "Y = the largest integer <= X (ONNX Floor-13)")
    static let hardSigmoid = pointwise(
        .hardSigmoid, "Y = max(0, min(1, alpha*X + beta)) (ONNX HardSigmoid-6)",
        [.float("alpha", 0.2), .float("beta", 0.5)])
    static let hardSwish = pointwise(.hardSwish, "Y = X * max(0, min(1, X/6 + 1/2)) (ONNX HardSwish-14)")
    static let reciprocal = pointwise(.reciprocal, "Y = 1/X (ONNX Reciprocal-13)")
    static let round = pointwise(.round, "Y = X rounded to the nearest integer, halves to even (ONNX Round-11)")
    static let sign = pointwise(.sign, "Y = -1, 0 or 1 by the sign of X; NaN stays NaN (ONNX Sign-13)")
}
