import ModelFormat

/// What a shape rule sees: the node's input types, attributes and known integer constants.
public struct InferenceContext: Sendable {
    public let op: OpType
    /// One entry per input port position; nil for an omitted optional input.
    public let inputs: [TensorType?]
    public let attributes: Attributes
    /// Integer values of inputs that are constants (initializers or Constant nodes), by position.
    public let constants: [Int: [Int64]]
    /// How many outputs the node lists (for variadic outputs such as Split's).
    public let outputCount: Int

    /// Input `index`, which must be present.
    public func input(_ index: Int) throws(ShapeError) -> TensorType {
        guard index < inputs.count, let type = inputs[index] else {
            throw ShapeError("missing-input", "input \(index) is missing")
        }
        return type
    }

    /// Whether optional input `index` is given.
    public func hasInput(_ index: Int) -> Bool { index < inputs.count && inputs[index] != nil }

    /// The dims of input `index`; throws `unknownRank` (outputs become unknown) when not known.
    public func dims(_ index: Int) throws(ShapeError) -> [Dim] {
        guard let dims = try input(index).dims else { throw ShapeError.unknownRank }
        return dims
    }

    /// An axis attribute normalised into 0..<rank (ONNX allows -rank..<rank).
    public func axis(_ name: String, default value: Int, rank: Int, allowEnd: Bool = false) throws(ShapeError) -> Int {
        try normalize(axis: attributes.int(name, default: value), rank: rank, field: name, allowEnd: allowEnd)
    }

    /// `axis` normalised into 0..<rank (0...rank when `allowEnd`).
    public func normalize(axis: Int, rank: Int, field: String, allowEnd: Bool = false) throws(ShapeError) -> Int {
        // Negative axes count from the end: -1 is the last axis (ONNX), also when `allowEnd`
        // admits `rank` itself (Flatten's axis runs over -r...r).
        let upper = allowEnd ? rank + 1 : rank
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0 && normalized < upper else {
            throw ShapeError("axis", "\(field) \(axis) is out of range for rank \(rank)")
        }
        return normalized
    }
}

/// Shape rules shared by several ops.
enum ShapeRules {
    /// Output equals input 0 (unary elementwise ops, activations).
    static func sameAsInput(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
        [try context.input(0)]
    }

    /// Like `sameAsInput`, with the normalised `axis` checked against the rank.
    static func sameAsInputWithAxis(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
        let type = try context.input(0)
        if let rank = type.rank {
            _ = try context.axis("axis", default: -1, rank: rank)
        }
        return [type]
    }

    /// Numpy multidirectional broadcasting of all inputs (ONNX "Broadcasting in ONNX").
    static func broadcast(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
        let first = try context.input(0)
        var dims = try context.dims(0)
        for index in 1..<context.inputs.count {
            guard let type = context.inputs[index] else { continue }
            if context.op != .pow && type.dataType != first.dataType {
                throw ShapeError(
                    "data-type", "inputs have different data types: \(first.dataType.onnxName) and \(type.dataType.onnxName)")
            }
            dims = try broadcast(dims, try context.dims(index), context: context)
        }
        return [TensorType(first.dataType, dims)]
    }

    /// Broadcast two shapes; sizes must match or one must be 1.
    static func broadcast(_ a: [Dim], _ b: [Dim], context: InferenceContext) throws(ShapeError) -> [Dim] {
        let rank = max(a.count, b.count)
        let padA = Array(repeating: Dim.fixed(1), count: rank - a.count) + a
        let padB = Array(repeating: Dim.fixed(1), count: rank - b.count) + b
        var result: [Dim] = []
        for (x, y) in zip(padA, padB) {
            switch (x, y) {
            case (.fixed(1), _): result.append(y)
            case (_, .fixed(1)): result.append(x)
            case _ where x == y: result.append(x)
            case (.unknown, _), (_, .unknown): result.append(x == .unknown ? y : x)
            case (.fixed, .fixed):
                throw ShapeError(
                    "broadcast", "shapes \(TensorType(.float, a)) and \(TensorType(.float, b)) do not broadcast")
            default:
                result.append(.unknown)  // two different symbols: equal at run time or an error then
            }
        }
        return result
    }
}
