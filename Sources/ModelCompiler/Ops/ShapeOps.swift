// Ops that move data without arithmetic: shapes, layouts, joins, lookups, constants.

import ModelFormat

extension OpSchema {
    static let concat = OpSchema(
        type: .concat, summary: "joins inputs along axis (ONNX Concat-13)",
        inputs: [Port("inputs", variadic: true)], outputs: [Port("concat_result")], attributes: [.required("axis", .int)],
        inferTypes: inferConcat)
    static let constant = OpSchema(
        type: .constant, summary: "Y = the value given by exactly one value* attribute (ONNX Constant-13)",
        inputs: [], outputs: [Port("output")],
        attributes: [
            .optional("value", .tensor), .optional("value_float", .float), .optional("value_floats", .floats),
            .optional("value_int", .int), .optional("value_ints", .ints),
        ],
        inferTypes: inferConstant)
    static let flatten = OpSchema(
        type: .flatten, summary: "Y = X reshaped to 2-D at axis (ONNX Flatten-13)",
        inputs: [Port("input")], outputs: [Port("output")], attributes: [.int("axis", 1)],
        inferTypes: { context throws(ShapeError) in
            let dims = try context.dims(0)
            let axis = try context.axis("axis", default: 1, rank: dims.count, allowEnd: true)
            return [TensorType(try context.input(0).dataType, [Dim.product(dims[..<axis]), Dim.product(dims[axis...])])]
        })
    static let gather = OpSchema(
        type: .gather, summary: "Y = data indexed by indices along axis, e.g. embeddings (ONNX Gather-13)",
        inputs: [Port("data"), Port("indices")], outputs: [Port("output")], attributes: [.int("axis", 0)],
        inferTypes: { context throws(ShapeError) in
            let data = try context.dims(0)
            let indices = try context.input(1)
            guard indices.dataType == .int64 || indices.dataType == .int32 else {
                throw ShapeError("indices-type", "indices must be INT64 or INT32, got \(indices.dataType.onnxName)")
            }
            let axis = try context.axis("axis", default: 0, rank: data.count)
            return [TensorType(try context.input(0).dataType, Array(data[..<axis]) + (try context.dims(1)) + Array(data[(axis + 1)...]))]
        })
    static let reshape = OpSchema(
        type: .reshape, summary: "Y = data with the shape given by the shape input; 0 copies, -1 infers (ONNX Reshape-14)",
        inputs: [Port("data"), Port("shape")], outputs: [Port("reshaped")], attributes: [.int("allowzero", 0)],
        inferTypes: inferReshape)
    static let split = OpSchema(
        type: .split,
        summary: "splits input along axis into the outputs: by the split sizes, or into num_outputs parts (ONNX Split-13/18)",
        inputs: [Port("input"), Port("split", optional: true)], outputs: [Port("outputs", variadic: true)],
        attributes: [.int("axis", 0), .optional("num_outputs", .int)], inferTypes: inferSplit)
    static let squeeze = OpSchema(
        type: .squeeze, summary: "removes size-1 axes (ONNX Squeeze-13)",
        inputs: [Port("data"), Port("axes", optional: true)], outputs: [Port("squeezed")], attributes: [],
        inferTypes: inferSqueeze)
    static let transpose = OpSchema(
        type: .transpose, summary: "permutes axes by perm; reverses them when perm is absent (ONNX Transpose-13)",
        inputs: [Port("data")], outputs: [Port("transposed")], attributes: [.optional("perm", .ints)],
        inferTypes: { context throws(ShapeError) in
            let dims = try context.dims(0)
            let perm = context.attributes.ints("perm") ?? Array(dims.indices.reversed())
            guard perm.sorted() == Array(dims.indices) else {
                throw ShapeError("perm", "perm \(perm) is not a permutation of the \(dims.count) axes of \(try context.input(0))")
            }
            return [TensorType(try context.input(0).dataType, perm.map { dims[$0] })]
        })
    static let unsqueeze = OpSchema(
        type: .unsqueeze, summary: "inserts size-1 axes (ONNX Unsqueeze-13)",
        inputs: [Port("data"), Port("axes")], outputs: [Port("expanded")], attributes: [], inferTypes: inferUnsqueeze)
}

func inferConcat(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let first = try context.input(0)
    var dims = try context.dims(0)
    let axis = try context.axis("axis", default: 0, rank: dims.count)
    for index in 1..<context.inputs.count {
        let other = try context.input(index)
        let next = try context.dims(index)
        guard other.dataType == first.dataType, next.count == dims.count,
            zip(next, dims).enumerated().allSatisfy({ $0.offset == axis || $0.element.0 == $0.element.1 || $0.element.0 == .unknown || $0.element.1 == .unknown })
        else {
            throw ShapeError("concat-shapes", "input \(index) \(other) does not match input 0 \(first) outside axis \(axis)")
        }
        dims[axis] = dims[axis] + next[axis]
    }
    return [TensorType(first.dataType, dims)]
}

func inferConstant(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let attributes = context.attributes
    if let tensor = attributes.tensor("value") {
        return [TensorType(tensor.dataType.resolved, tensor.dims.map { .fixed(Int($0)) })]
    }
    if attributes.has("value_float") { return [TensorType(.float, [])] }
    if let floats = attributes.floats("value_floats") { return [TensorType(.float, [.fixed(floats.count)])] }
    if attributes.has("value_int") { return [TensorType(.int64, [])] }
    if let ints = attributes.ints("value_ints") { return [TensorType(.int64, [.fixed(ints.count)])] }
    throw ShapeError("constant-value", "Constant has no value attribute")
}

/// Reshape: 0 copies the input extent (unless allowzero), one -1 takes what is left over.
func inferReshape(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let type = try context.input(0)
    guard let shape = context.constants[1] else { return [TensorType(type.dataType, nil)] }
    let input = try context.dims(0)
    let allowZero = context.attributes.int("allowzero", default: 0) == 1
    var dims: [Dim] = []
    var inferred: Int?
    for (index, value) in shape.enumerated() {
        switch value {
        case -1:
            guard inferred == nil else { throw ShapeError("reshape", "shape \(shape) has more than one -1") }
            inferred = index
            dims.append(.unknown)
        case 0 where !allowZero:
            guard index < input.count else { throw ShapeError("reshape", "shape \(shape) copies axis \(index), which \(type) lacks") }
            dims.append(input[index])
        case let size where size >= 0: dims.append(.fixed(Int(size)))
        default: throw ShapeError("reshape", "shape \(shape) has the invalid entry \(value)")
        }
    }
    let total = Dim.product(input)
    let known = Dim.product(dims.enumerated().filter { $0.offset != inferred }.map(\.element))
    if let inferred {
        guard let rest = Dim.exactQuotient(total, known) else {
            if total.monomial != nil && known.monomial != nil && total.monomial?.symbol == nil {
                throw ShapeError("reshape", "cannot reshape \(type) (\(total) elements) to \(shape)")
            }
            dims[inferred] = .unknown
            return [TensorType(type.dataType, dims)]
        }
        dims[inferred] = rest
    } else if let a = total.fixedValue, let b = known.fixedValue, a != b {
        throw ShapeError("reshape", "cannot reshape \(type) (\(a) elements) to \(shape) (\(b) elements)")
    }
    return [TensorType(type.dataType, dims)]
}

func inferSplit(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let type = try context.input(0)
    let dims = try context.dims(0)
    let axis = try context.axis("axis", default: 0, rank: dims.count)
    let count = context.outputCount
    var sizes: [Dim]
    if context.hasInput(1) {
        guard !context.attributes.has("num_outputs") else {
            throw ShapeError("split", "give the split sizes or num_outputs, not both")
        }
        guard let split = context.constants[1] else {
            return Array(repeating: TensorType(type.dataType, nil), count: count)
        }
        guard split.count == count, split.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError("split", "split \(split) must list \(count) non-negative sizes, one per output")
        }
        sizes = split.map { .fixed(Int($0)) }
        // The sizes come from the file: a sum past Int64 is an error, not a trap.
        let sum = split.reduce(Int?(0)) { sum, size in sum.flatMap { Shape.checkedSum($0, Int(size)) } }
        guard let total = sum else {
            throw ShapeError("split", "split \(split) sums past a 64-bit integer")
        }
        if let extent = dims[axis].fixedValue, extent != total {
            throw ShapeError("split", "split \(split) sums to \(total), but axis \(axis) of \(type) has \(extent)")
        }
    } else if context.attributes.has("num_outputs") {
        let parts = context.attributes.int("num_outputs", default: count)
        // Split-18: parts of ceil(extent / num_outputs), the last one smaller when uneven.
        guard parts == count else {
            throw ShapeError("split", "num_outputs is \(parts), but the node lists \(count) outputs")
        }
        guard let extent = dims[axis].fixedValue else {
            guard let part = Dim.exactQuotient(dims[axis], .fixed(count)) else {
                return Array(repeating: TensorType(type.dataType, nil), count: count)
            }
            sizes = Array(repeating: part, count: count)
            return sizes.map { var d = dims; d[axis] = $0; return TensorType(type.dataType, d) }
        }
        let part = (extent + count - 1) / count
        let last = extent - part * (count - 1)
        guard last >= 0 else {
            throw ShapeError("split", "axis \(axis) of \(type) (\(extent)) cannot be split into \(count) parts of \(part)")
        }
        sizes = Array(repeating: .fixed(part), count: count - 1) + [.fixed(last)]
    } else {
        guard let part = Dim.exactQuotient(dims[axis], .fixed(count)) else {
            if dims[axis].fixedValue != nil {
                throw ShapeError("split", "axis \(axis) of \(type) does not divide into \(count) equal parts")
            }
            sizes = Array(repeating: .unknown, count: count)
            return sizes.map { var d = dims; d[axis] = $0; return TensorType(type.dataType, d) }
        }
        sizes = Array(repeating: part, count: count)
    }
    return sizes.map { size in
        var part = dims
        part[axis] = size
        return TensorType(type.dataType, part)
    }
}

func inferSqueeze(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let type = try context.input(0)
    let dims = try context.dims(0)
    var axes = Set<Int>()
    if context.hasInput(1) {
        guard let constant = context.constants[1] else { return [TensorType(type.dataType, nil)] }
        for axis in constant {
            let normalized = try context.normalize(axis: Int(axis), rank: dims.count, field: "axes")
            if let size = dims[normalized].fixedValue, size != 1 {
                throw ShapeError("squeeze", "axis \(axis) of \(type) has size \(size), not 1")
            }
            axes.insert(normalized)
        }
    } else {
        guard !dims.contains(where: { $0.fixedValue == nil }) else { return [TensorType(type.dataType, nil)] }
        axes = Set(dims.indices.filter { dims[$0] == .fixed(1) })
    }
    return [TensorType(type.dataType, reduce(dims, axes: axes, keep: false))]
}

func inferUnsqueeze(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let type = try context.input(0)
    let dims = try context.dims(0)
    guard let constant = context.constants[1] else { return [TensorType(type.dataType, nil)] }
    let rank = dims.count + constant.count
    var axes = Set<Int>()
    for axis in constant {
        guard axes.insert(try context.normalize(axis: Int(axis), rank: rank, field: "axes")).inserted else {
            throw ShapeError("axes", "axis \(axis) appears twice in axes \(constant)")
        }
    }
    var remaining = dims.makeIterator()
    return [TensorType(type.dataType, (0..<rank).map { axes.contains($0) ? .fixed(1) : (remaining.next() ?? .unknown) })]
}
