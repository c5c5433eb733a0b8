// Ops that compute or apply shapes: Shape, ConstantOfShape, Expand.

import ModelFormat

extension OpSchema {
    static let shape = OpSchema(
        type: .shape, summary: "shape = the dims of data from start to end, as INT64 (ONNX Shape-15)",
        inputs: [Port("data")], outputs: [Port("shape")], attributes: [.int("start", 0), .optional("end", .int)],
        inferTypes: { context throws(ShapeError) in
            let rank = try context.dims(0).count
            let range = shapeRange(rank: rank, attributes: context.attributes)
            return [TensorType(.int64, [.fixed(range.count)])]
        })
    static let constantOfShape = OpSchema(
        type: .constantOfShape,
        summary: "output = a tensor of the shape given by the input, filled with value (default float 0) (ONNX ConstantOfShape-20)",
        inputs: [Port("input")], outputs: [Port("output")], attributes: [.optional("value", .tensor)],
        inferTypes: { context throws(ShapeError) in
            let type = context.attributes.tensor("value").map { $0.dataType.resolved } ?? .float
            if let tensor = context.attributes.tensor("value"), tensor.dims.reduce(1, *) != 1 {
                throw ShapeError("value", "value must hold one element, it has dims \(tensor.dims)")
            }
            guard let shape = context.constants[0] else { return [TensorType(type, nil)] }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw ShapeError("shape", "the shape \(shape) has a negative entry")
            }
            return [TensorType(type, shape.map { .fixed(Int($0)) })]
        })
    static let expand = OpSchema(
        type: .expand, summary: "output = input broadcast with the shape input, both ways (ONNX Expand-13)",
        inputs: [Port("input"), Port("shape")], outputs: [Port("output")], attributes: [],
        inferTypes: { context throws(ShapeError) in
            let type = try context.input(0)
            guard let shape = context.constants[1] else { return [TensorType(type.dataType, nil)] }
            guard shape.allSatisfy({ $0 >= 0 }) else {
                throw ShapeError("shape", "the shape \(shape) has a negative entry")
            }
            let dims = try ShapeRules.broadcast(try context.dims(0), shape.map { .fixed(Int($0)) }, context: context)
            return [TensorType(type.dataType, dims)]
        })
}

/// The axes Shape-15 reports: start and end clamped to [0, rank] after adding rank to
/// negative values; empty when start >= end.
public func shapeRange(rank: Int, attributes: Attributes) -> Range<Int> {
    func clamp(_ value: Int) -> Int { Swift.min(Swift.max(value < 0 ? value + rank : value, 0), rank) }
    let start = clamp(attributes.int("start", default: 0))
    let end = attributes.has("end") ? clamp(attributes.int("end", default: rank)) : rank
    return start..<Swift.max(start, end)
}
