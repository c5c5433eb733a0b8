// Comparisons (bool outputs) and selection by a bool condition, with broadcasting.

extension OpSchema {
    private static func comparison(_ type: OpType, _ summary: String) -> OpSchema {
        OpSchema(
            type: type, summary: summary, inputs: [Port("A"), Port("B")], outputs: [Port("C")], attributes: [],
            inferTypes: inferComparison)
    }

    static let equal = comparison(.equal, "C = (A == B) as BOOL, broadcasting (ONNX Equal-13/19)")
    static let greater = comparison(.greater, "C = (A > B) as BOOL, broadcasting (ONNX Greater-13)")
    static let less = comparison(.less, "C = (A < B) as BOOL, broadcasting (ONNX Less-13)")
    static let greaterOrEqual = comparison(
        .greaterOrEqual, "C = (A >= B) as BOOL, broadcasting (ONNX GreaterOrEqual-16)")
    static let lessOrEqual = comparison(.lessOrEqual, "C = (A <= B) as BOOL, broadcasting (ONNX LessOrEqual-16)")
    static let `where` = OpSchema(
        type: .where, summary: "output = X where condition else Y, all three broadcasting (ONNX Where-16)",
        inputs: [Port("condition"), Port("X"), Port("Y")], outputs: [Port("output")], attributes: [],
        inferTypes: inferWhere)
}

/// A and B of one type, broadcast; C is BOOL.
func inferComparison(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let broadcast = try ShapeRules.broadcast(context)
    return [TensorType(.bool, broadcast[0].dims)]
}

/// condition BOOL; X and Y of one type; the three shapes broadcast together.
func inferWhere(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let condition = try context.input(0)
    let x = try context.input(1)
    let y = try context.input(2)
    guard condition.dataType == .bool else {
        throw ShapeError("data-type", "condition must be BOOL, got \(condition.dataType.onnxName)")
    }
    guard x.dataType == y.dataType else {
        throw ShapeError("data-type", "X and Y have different data types: \(x.dataType.onnxName) and \(y.dataType.onnxName)")
    }
    var dims = try context.dims(0)
    dims = try ShapeRules.broadcast(dims, try context.dims(1), context: context)
    dims = try ShapeRules.broadcast(dims, try context.dims(2), context: context)
    return [TensorType(x.dataType, dims)]
}
