import ModelFormat

/// Checks of the graph's structure: names, definitions, order, ops, arity, attributes.
struct GraphChecks {
    let graph: ProtoGraph

    /// Runs every check; returns the set of defined value names (for head checks).
    func run(into report: inout Report) -> Set<String> {
        let definers = checkDefinitions(&report)
        checkValueInfos(&report)
        checkUses(definers: definers, &report)
        checkOrder(definers: definers, &report)
        checkOps(&report)
        return Set(definers.keys)
    }

    private func label(_ node: ProtoNode, _ index: Int) -> String {
        node.name.isEmpty ? "#\(index)" : node.name
    }

    private func location(_ node: ProtoNode, _ index: Int, field: String? = nil) -> Diagnostic.Location {
        .init(node: label(node, index), op: node.opType, field: field)
    }

    /// Each value is defined once: by a graph input, an initializer or a node output.
    /// Returns, for each name, the index of the defining node (nil for inputs/initializers).
    private func checkDefinitions(_ report: inout Report) -> [String: Int?] {
        var definers: [String: Int?] = [:]
        var describe: [String: String] = [:]
        func define(_ name: String, by who: String, node: Int?, location: Diagnostic.Location) {
            guard !name.isEmpty else {
                report.error("graph.unnamed-value", location, "\(who) defines a value with an empty name", fix: "give every value a name")
                return
            }
            if let previous = describe[name] {
                report.error(
                    "graph.duplicate-value", location,
                    "value '\(name)' is defined by \(who) and already by \(previous); each value must be defined once",
                    fix: "rename one of them")
                return
            }
            definers[name] = node
            describe[name] = who
        }
        for input in graph.input {
            define(input.name, by: "graph input '\(input.name)'", node: nil, location: .init(field: "graph.input"))
        }
        for tensor in graph.initializer {
            define(tensor.name, by: "initializer '\(tensor.name)'", node: nil, location: .init(field: "graph.initializer"))
        }
        var nodeNames: [String: Int] = [:]
        for (index, node) in graph.node.enumerated() {
            if !node.name.isEmpty {
                if let first = nodeNames[node.name] {
                    report.warning(
                        "graph.duplicate-node-name", location(node, index),
                        "node name '\(node.name)' is also used by node #\(first); messages about either are ambiguous",
                        fix: "give nodes unique names")
                } else {
                    nodeNames[node.name] = index
                }
            }
            for output in node.output where !output.isEmpty {
                define(output, by: "\(node.opType) '\(label(node, index))'", node: index, location: location(node, index, field: "output"))
            }
        }
        return definers
    }

    private func checkValueInfos(_ report: inout Report) {
        for (field, infos) in [("graph.input", graph.input), ("graph.output", graph.output), ("graph.value_info", graph.valueInfo)] {
            for info in infos {
                if case .UNRECOGNIZED(let code) = info.elemType { report.enumOutOfRange("\(field)['\(info.name)'].elem_type", code) }
                for (axis, dim) in info.dim.enumerated() {
                    if case .value(let value)? = dim.size, value < 0 {
                        report.error(
                            "value.negative-dim", .init(field: "\(field)['\(info.name)'].dim[\(axis)]"),
                            "dimension \(value) is negative", fix: "use a size >= 0, or a named `param` such as \"N\"")
                    }
                }
            }
        }
    }

    private func checkUses(definers: [String: Int?], _ report: inout Report) {
        for (index, node) in graph.node.enumerated() {
            for (position, input) in node.input.enumerated() where !input.isEmpty && definers[input] == nil {
                report.error(
                    "graph.undefined-value", location(node, index, field: "input[\(position)]"),
                    "input '\(input)' is not a graph input, an initializer or any node's output",
                    fix: "define '\(input)' or correct the name")
            }
        }
        for output in graph.output where definers[output.name] == nil {
            report.error(
                "graph.undefined-output", .init(field: "graph.output['\(output.name)']"),
                "graph output '\(output.name)' is not produced by any node, input or initializer",
                fix: "name a value the graph computes")
        }
    }

    /// No cycles (Kahn's algorithm); a warning when nodes are not listed in dependency order.
    private func checkOrder(definers: [String: Int?], _ report: inout Report) {
        let count = graph.node.count
        var dependents = [[Int]](repeating: [], count: count)
        var pending = [Int](repeating: 0, count: count)
        var outOfOrder: Int?
        for (index, node) in graph.node.enumerated() {
            for input in Set(node.input) where !input.isEmpty {
                guard let producer = definers[input] ?? nil else { continue }
                dependents[producer].append(index)
                pending[index] += 1
                if producer >= index, outOfOrder == nil { outOfOrder = index }
            }
        }
        var ready = (0..<count).filter { pending[$0] == 0 }
        var visited = 0
        while let next = ready.popLast() {
            visited += 1
            for dependent in dependents[next] {
                pending[dependent] -= 1
                if pending[dependent] == 0 { ready.append(dependent) }
            }
        }
        if visited < count {
            let cyclic = (0..<count).filter { pending[$0] > 0 }.map { label(graph.node[$0], $0) }
            report.error(
                "graph.cycle", .init(field: "graph.node"),
                "the graph has a cycle through \(cyclic.count) node(s): \(cyclic.prefix(8).joined(separator: ", "))",
                fix: "a node may not depend, directly or indirectly, on its own output")
        } else if let index = outOfOrder {
            report.warning(
                "graph.not-topological", location(graph.node[index], index),
                "nodes are not listed in dependency order (this node uses a value defined later); "
                    + "the compiler sorts them, but ONNX tools require the order",
                fix: "run `modelc compile`, which writes nodes in dependency order")
        }
    }

    /// Known ops (all unknown ones in one error), arity and attributes.
    private func checkOps(_ report: inout Report) {
        var unknown: [String: [String]] = [:]
        var unknownOrder: [String] = []
        for (index, node) in graph.node.enumerated() {
            guard let schema = OpRegistry.schema(opType: node.opType, domain: node.domain) else {
                let key = node.domain.isEmpty || node.domain == "ai.onnx" ? node.opType : "\(node.domain).\(node.opType)"
                if unknown[key] == nil { unknownOrder.append(key) }
                unknown[key, default: []].append(label(node, index))
                continue
            }
            checkArity(node, index, schema, &report)
            checkAttributes(node, index, schema, &report)
        }
        if !unknownOrder.isEmpty {
            let list = unknownOrder.map { op in
                let nodes = unknown[op] ?? []
                let nearest = NearestName.suggest(op, among: OpType.allCases.map(\.rawValue))
                let hint = nearest.map { " (did you mean \($0)?)" }
                return "\(op)\(hint ?? "") (\(nodes.count) node\(nodes.count == 1 ? "" : "s"): \(nodes.prefix(3).joined(separator: ", "))\(nodes.count > 3 ? ", ..." : ""))"
            }
            report.error(
                "graph.unsupported-ops", .init(field: "graph.node"),
                "\(unknownOrder.count) op type(s) are not supported: \(list.joined(separator: "; "))",
                fix: "replace or decompose them into supported ops (the list is in Sources/ModelCompiler/Ops/OpType.swift)")
        }
    }

    private func checkArity(_ node: ProtoNode, _ index: Int, _ schema: OpSchema, _ report: inout Report) {
        let inputs = schema.inputArity
        let given = node.input.count
        if given < inputs.min || given > (inputs.max ?? Int.max) {
            report.error(
                "node.input-count", location(node, index, field: "input"),
                "\(schema.type.rawValue) takes \(describe(inputs)) input(s), but the node lists \(given)",
                fix: "inputs are \(schema.inputs.map { $0.isOptional ? "[\($0.name)]" : $0.name }.joined(separator: ", "))")
        }
        for (position, port) in schema.inputs.enumerated() where !port.isOptional && !port.isVariadic {
            if position < node.input.count, node.input[position].isEmpty {
                report.error(
                    "node.missing-input", location(node, index, field: "input[\(position)]"),
                    "required input '\(port.name)' is empty", fix: "name the value for '\(port.name)'")
            }
        }
        let outputs = schema.outputArity
        let produced = node.output.count
        if produced < max(outputs.min, 1) || produced > (outputs.max ?? Int.max) {
            report.error(
                "node.output-count", location(node, index, field: "output"),
                "\(schema.type.rawValue) produces \(describe(outputs)) output(s), but the node lists \(produced)")
        }
    }

    private func describe(_ arity: (min: Int, max: Int?)) -> String {
        guard let max = arity.max else { return "at least \(Swift.max(arity.min, 1))" }
        return arity.min == max ? "\(max)" : "\(arity.min) to \(max)"
    }

    private func checkAttributes(_ node: ProtoNode, _ index: Int, _ schema: OpSchema, _ report: inout Report) {
        var seen = Set<String>()
        for attribute in node.attribute {
            let field = "attribute['\(attribute.name)']"
            guard seen.insert(attribute.name).inserted else {
                report.error("node.duplicate-attribute", location(node, index, field: field), "attribute '\(attribute.name)' is given twice")
                continue
            }
            guard let spec = schema.attribute(named: attribute.name) else {
                let known = schema.attributes.map(\.name)
                report.error(
                    "node.unknown-attribute", location(node, index, field: field),
                    "\(schema.type.rawValue) has no attribute '\(attribute.name)'",
                    fix: known.isEmpty ? "remove it; \(schema.type.rawValue) takes no attributes" : "known attributes: \(known.joined(separator: ", "))")
                continue
            }
            let populated = AttributeKindProbe.populatedKinds(attribute)
            if !populated.isEmpty && populated != [spec.kind] {
                let found = populated.map(\.rawValue).sorted().joined(separator: " and ")
                report.error(
                    "node.attribute-kind", location(node, index, field: field),
                    "'\(attribute.name)' of \(schema.type.rawValue) is \(article(spec.kind.rawValue)) \(spec.kind.rawValue), but the attribute holds \(found)",
                    fix: "set the `\(AttributeKindProbe.fieldName(spec.kind))` field instead")
            }
        }
        if let error = AttributeValidation.firstError(schema.type, Attributes(node.attribute), schema: schema) {
            report.error(
                "node.attribute-value", location(node, index, field: "attribute['\(error.attribute)']"),
                error.message,
                fix: "give a value the op defines (ONNX \(schema.type.rawValue))")
        }
        for spec in schema.attributes where spec.isRequired && !seen.contains(spec.name) {
            report.error(
                "node.missing-attribute", location(node, index, field: "attribute['\(spec.name)']"),
                "\(schema.type.rawValue) requires attribute '\(spec.name)' (\(spec.kind.rawValue))",
                fix: "add `attribute { name: \"\(spec.name)\" \(AttributeKindProbe.fieldName(spec.kind)): ... }`")
        }
        if schema.type == .constant {
            let values = node.attribute.filter { $0.name.hasPrefix("value") }
            if values.count != 1 {
                report.error(
                    "node.constant-value", location(node, index, field: "attribute"),
                    "Constant needs exactly one value attribute, but has \(values.count)",
                    fix: "give one of value, value_float, value_floats, value_int, value_ints")
            }
        }
    }

    private func article(_ word: String) -> String {
        word.first.map { "aeiou".contains($0) } == true ? "an" : "a"
    }
}

/// Which value fields of an attribute are populated (proto3 scalars count when non-zero).
enum AttributeKindProbe {
    static func populatedKinds(_ attribute: ProtoAttribute) -> Set<AttributeKind> {
        var kinds = Set<AttributeKind>()
        if attribute.f != 0 { kinds.insert(.float) }
        if attribute.i != 0 { kinds.insert(.int) }
        if !attribute.s.isEmpty { kinds.insert(.string) }
        if attribute.hasT { kinds.insert(.tensor) }
        if !attribute.floats.isEmpty { kinds.insert(.floats) }
        if !attribute.ints.isEmpty { kinds.insert(.ints) }
        if !attribute.strings.isEmpty { kinds.insert(.strings) }
        return kinds
    }

    static func fieldName(_ kind: AttributeKind) -> String {
        switch kind {
        case .float: "f"
        case .int: "i"
        case .string: "s"
        case .tensor: "t"
        case .floats: "floats"
        case .ints: "ints"
        case .strings: "strings"
        }
    }
}
