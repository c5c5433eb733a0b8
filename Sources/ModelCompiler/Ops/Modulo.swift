// Mod: the remainder of a broadcasting division (shape arithmetic in exported transformers).

extension OpSchema {
    static let mod = OpSchema(
        type: .mod,
        summary: "C = A mod B, broadcasting: the sign of B when fmod = 0 (Python's %, numpy's mod), "
            + "the sign of A when fmod = 1 (C's fmod) (ONNX Mod-13)",
        inputs: [Port("A"), Port("B")], outputs: [Port("C")], attributes: [.int("fmod", 0)], inferTypes: inferMod)
}

/// A and B of one type, broadcast. (Mod-13's text asks for fmod = 1 with floats; the onnx
/// package's node tests and reference define fmod = 0 for floats as numpy's mod, as here.)
private func inferMod(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let a = try context.input(0)
    let b = try context.input(1)
    guard a.dataType == b.dataType else {
        throw ShapeError("data-type", "A and B have different data types: \(a.dataType.onnxName) and \(b.dataType.onnxName)")
    }
    return [TensorType(a.dataType, try ShapeRules.broadcast(context)[0].dims)]
}
