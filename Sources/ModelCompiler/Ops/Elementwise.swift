// Elementwise arithmetic with ONNX multidirectional broadcasting.

import ModelFormat

extension OpSchema {
    private static func binary(_ type: OpType, _ summary: String) -> OpSchema {
        OpSchema(
            type: type, summary: summary, inputs: [Port("A"), Port("B")], outputs: [Port("C")], attributes: [],
            inferTypes: ShapeRules.broadcast)
    }
    private static func unary(_ type: OpType, _ summary: String) -> OpSchema {
        OpSchema(
            type: type, summary: summary, inputs: [Port("X")], outputs: [Port("Y")], attributes: [],
            inferTypes: ShapeRules.sameAsInput)
    }

    static let abs = unary(.abs, "Y = |X| (ONNX Abs-13)")
    static let add = binary(.add, "C = A + B, broadcasting (ONNX Add-14)")
    static let cast = OpSchema(
        type: .cast, summary: "Y = X converted to data type `to` (ONNX Cast-13..25)",
        inputs: [Port("input")], outputs: [Port("output")],
        // saturate (Cast-19) and round_mode (Cast-24) only affect float8/float4 targets, which
        // the runtime does not store; they are accepted and have no effect.
        attributes: [.required("to", .int), .int("saturate", 1), .string("round_mode", "up")],
        inferTypes: inferCast)
    static let clip = OpSchema(
        type: .clip, summary: "Y = min(max(X, min), max) (ONNX Clip-13)",
        inputs: [Port("input"), Port("min", optional: true), Port("max", optional: true)],
        outputs: [Port("output")], attributes: [], inferTypes: ShapeRules.sameAsInput)
    static let div = binary(.div, "C = A / B, broadcasting (ONNX Div-14)")
    static let exp = unary(.exp, "Y = e^X (ONNX Exp-13)")
    static let identity = unary(.identity, "Y = X (ONNX Identity-16)")
    static let log = unary(.log, "Y = ln X (ONNX Log-13)")
    static let mul = binary(.mul, "C = A * B, broadcasting (ONNX Mul-14)")
    static let neg = unary(.neg, "Y = -X (ONNX Neg-13)")
    static let pow = binary(.pow, "C = A ^ B, broadcasting (ONNX Pow-15)")
    static let sqrt = unary(.sqrt, "Y = sqrt(X) (ONNX Sqrt-13)")
    static let sub = binary(.sub, "C = A - B, broadcasting (ONNX Sub-14)")
}

/// Cast: the input's shape with data type `to`, which must be a known ONNX type code.
private func inferCast(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let code = context.attributes.int("to", default: 0)
    guard let type = ProtoDataType(rawValue: code), type != .undefined, type.byteSize != nil else {
        throw ShapeError("cast-type", "to = \(code) is not a supported data type code")
    }
    return [TensorType(type, try context.input(0).dims)]
}
