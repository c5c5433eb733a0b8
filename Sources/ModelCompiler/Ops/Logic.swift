// Boolean logic and float classification: And, Or, Xor, Not, IsNaN, IsInf (masks in exported
// transformers).

extension OpSchema {
    private static func logical(_ type: OpType, _ summary: String) -> OpSchema {
        OpSchema(
            type: type, summary: summary, inputs: [Port("A"), Port("B")], outputs: [Port("C")], attributes: [],
            inferTypes: inferLogical)
    }

    static let and = logical(.and, "C = A and B, BOOL, broadcasting (ONNX And-7)")
    static let or = logical(.or, "C = A or B, BOOL, broadcasting (ONNX Or-7)")
    static let xor = logical(.xor, "C = A xor B, BOOL, broadcasting (ONNX Xor-7)")
    static let not = OpSchema(
        type: .not, summary: "Y = not X, BOOL (ONNX Not-1)", inputs: [Port("X")], outputs: [Port("Y")],
        attributes: [], inferTypes: inferNot)
    static let isNaN = OpSchema(
        type: .isNaN, summary: "Y = (X is NaN) as BOOL (ONNX IsNaN-13/20)", inputs: [Port("X")],
        outputs: [Port("Y")], attributes: [], inferTypes: inferClassification)
    static let isInf = OpSchema(
        type: .isInf, summary: "Y = (X is +inf and detect_positive, or -inf and detect_negative) as BOOL (ONNX IsInf-10/20)",
        inputs: [Port("X")], outputs: [Port("Y")],
        attributes: [.int("detect_negative", 1), .int("detect_positive", 1)], inferTypes: inferClassification)
}

/// A and B BOOL, broadcast; C BOOL.
private func inferLogical(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    for index in 0..<2 where try context.input(index).dataType != .bool {
        throw ShapeError("data-type", "input \(index) must be BOOL, got \(try context.input(index).dataType.onnxName)")
    }
    return [TensorType(.bool, try ShapeRules.broadcast(context)[0].dims)]
}

/// X BOOL; Y BOOL of X's shape.
private func inferNot(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let x = try context.input(0)
    guard x.dataType == .bool else { throw ShapeError("data-type", "X must be BOOL, got \(x.dataType.onnxName)") }
    return [x]
}

/// X a float type; Y BOOL of X's shape.
private func inferClassification(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let x = try context.input(0)
    guard [.float, .double, .float16, .bfloat16].contains(x.dataType) else {
        throw ShapeError("data-type", "X must be a float type, got \(x.dataType.onnxName)")
    }
    return [TensorType(.bool, x.dims)]
}
