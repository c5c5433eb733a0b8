import ModelFormat

/// Infers the type of every value from the graph inputs and initializers, node by node in
/// dependency order, and checks the result against declared value infos.
///
/// Symbolic dims (`N`) are carried through. A rule's failure becomes a diagnostic naming the
/// node, its op, the input types and the rule (`shape.<rule>`); its outputs become unknown so
/// later nodes are still checked. All findings are collected.
public enum ShapeInference {
    /// Fills `graph`'s value types; returns the findings.
    ///
    /// A value whose resolved shape has an element count or byte size that overflows, or
    /// passes `limits.maxTensorBytes`, is a `shape.too-large` error: at check time for static
    /// shapes, at plan time (where the planner runs this with concrete feeds) for symbolic ones.
    public static func run(_ graph: inout Graph, file: String? = nil, limits: FormatLimits = .default) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        var constants = integerConstants(graph)
        for input in graph.inputs {
            let location = Diagnostic.Location(file: file, field: "graph.input")
            if let finding = sizeFinding(graph[input], limits: limits, location: location) {
                diagnostics.append(finding)
            }
        }
        for index in graph.nodes.indices {
            let node = graph.nodes[index]
            guard let schema = OpRegistry.schema(node.op) else { continue }
            let inputTypes = node.inputs.map { $0.map { graph[$0].type } }
            var known: [Int: [Int64]] = [:]
            for (position, input) in node.inputs.enumerated() {
                if let input, let values = constants[input] { known[position] = values }
            }
            let context = InferenceContext(
                op: node.op, inputs: inputTypes, attributes: node.attributes, constants: known,
                outputCount: node.outputs.count)
            let location = Diagnostic.Location(
                file: file, node: node.name.isEmpty ? "#\(index)" : node.name, op: node.op.rawValue)
            var outputTypes: [TensorType]
            do {
                outputTypes = try schema.inferTypes(context)
            } catch {
                if error != ShapeError.unknownRank {
                    let operands = zip(schema.inputs.map(\.name) + Array(repeating: "input", count: 16), inputTypes)
                        .compactMap { name, type in type.map { "\(name) \($0)" } }.joined(separator: ", ")
                    diagnostics.append(
                        Diagnostic(
                            .error, "shape.\(error.rule)", location,
                            "\(error.message)" + (operands.isEmpty ? "" : " (inputs: \(operands))"),
                            fix: "check the shapes feeding this node and its attributes"))
                }
                let dataType = inputTypes.compactMap { $0 }.first?.dataType ?? .float
                outputTypes = Array(repeating: TensorType(dataType, nil), count: node.outputs.count)
            }
            for (position, output) in node.outputs.enumerated() {
                guard let output, position < outputTypes.count else { continue }
                let inferred = outputTypes[position]
                let declared = graph[output].type
                if !inferred.isCompatible(with: declared) && declared.dims != nil && inferred.dims != nil {
                    diagnostics.append(
                        Diagnostic(
                            .error, "shape.declared-mismatch", location,
                            "output '\(graph[output].name)' is inferred as \(inferred), but the model declares \(declared)",
                            fix: "correct the declared shape (value_info or graph output) or the inputs"))
                }
                graph[output].type = merge(inferred: inferred, declared: declared)
                if let finding = sizeFinding(graph[output], limits: limits, location: location) {
                    diagnostics.append(finding)
                    graph[output].type = TensorType(inferred.dataType, nil)  // later nodes see an unknown shape
                }
            }
            if node.op == .constant, let output = node.outputs.first ?? nil,
                let values = constantValues(node.attributes)
            {
                constants[output] = values
            }
        }
        return diagnostics
    }

    /// Value name → inferred type for a model that verifies without errors, else nil.
    public static func inferredTypes(_ model: ProtoModel) -> [String: TensorType]? {
        guard !Verifier().verify(model).hasErrors, var graph = try? Graph(model.graph) else { return nil }
        _ = run(&graph)
        return Dictionary(graph.values.map { ($0.name, $0.type) }, uniquingKeysWith: { first, _ in first })
    }

    /// A `shape.too-large` error when `value`'s shape is fully known and its element count or
    /// byte size overflows or passes `limits.maxTensorBytes`.
    private static func sizeFinding(
        _ value: Value, limits: FormatLimits, location: Diagnostic.Location
    ) -> Diagnostic? {
        guard let dims = value.type.dims else { return nil }
        let fixed = dims.compactMap(\.fixedValue)
        guard fixed.count == dims.count else { return nil }
        let elementSize = value.type.dataType.resolved.byteSize ?? 1
        let bytes = Shape.checkedByteCount(fixed, elementSize: elementSize)
        if let bytes, bytes <= limits.maxTensorBytes { return nil }
        let size = bytes.map { "\($0) bytes, over the limit of \(limits.maxTensorBytes)" }
        return Diagnostic(
            .error, "shape.too-large", location,
            "'\(value.name)' would be \(value.type): " + (size ?? "its size overflows a 64-bit integer"),
            fix: "check the shapes and attributes that produce it (pads, Reshape shape, declared dims)")
    }

    /// Inferred dims, refined by declared ones where inference could not tell.
    private static func merge(inferred: TensorType, declared: TensorType) -> TensorType {
        guard let dims = inferred.dims else {
            return declared.dims != nil && declared.dataType == inferred.dataType ? declared : inferred
        }
        guard let declaredDims = declared.dims, declaredDims.count == dims.count else { return inferred }
        return TensorType(inferred.dataType, zip(dims, declaredDims).map { $0 == .unknown ? $1 : $0 })
    }

    /// Integer initializers (shapes, axes, split sizes) by value.
    private static func integerConstants(_ graph: Graph) -> [ValueID: [Int64]] {
        var constants: [ValueID: [Int64]] = [:]
        for (id, tensor) in graph.initializers {
            if let values = integerValues(tensor) { constants[id] = values }
        }
        return constants
    }

    /// The values of an INT64 or INT32 tensor; nil for other types or an unreadable payload.
    static func integerValues(_ tensor: ProtoTensor) -> [Int64]? {
        let type = tensor.dataType.resolved
        guard type == .int64 || type == .int32, let bytes = try? tensor.elementBytes() else { return nil }
        let size = type == .int64 ? 8 : 4
        return bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / size)).map { index in
                size == 8
                    ? Int64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: Int64.self))
                    : Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: index * 4, as: Int32.self)))
            }
        }
    }

    /// The integer value of a Constant node (`value_ints`, `value_int`, or an integer `value`).
    static func constantValues(_ attributes: Attributes) -> [Int64]? {
        if let ints = attributes.ints("value_ints") { return ints.map { Int64($0) } }
        if attributes.has("value_int") { return [Int64(attributes.int("value_int", default: 0))] }
        return attributes.tensor("value").flatMap(integerValues)
    }
}
