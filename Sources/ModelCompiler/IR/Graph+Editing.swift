import ModelFormat

/// Edits used by passes. Passes may leave dead values and stale origins behind; `compact()`
/// restores the invariants (every value defined once, origins point at current nodes, no
/// value unreferenced except graph inputs and initializers).
extension Graph {
    /// Adds a value and returns its handle; its origin is fixed up by `compact()`.
    public mutating func addValue(name: String, type: TensorType, origin: Value.Origin = .node(NodeID(index: -1))) -> ValueID {
        let id = ValueID(index: values.count)
        values.append(Value(name: name, type: type, origin: origin))
        return id
    }

    /// Adds a weight (an initializer) named `name`.
    public mutating func addInitializer(_ tensor: ProtoTensor) -> ValueID {
        let id = addValue(
            name: tensor.name, type: TensorType(tensor.dataType.resolved, tensor.dims.map { .fixed(Int($0)) }),
            origin: .initializer)
        initializers[id] = tensor
        return id
    }

    /// A value name not used yet, derived from `base`.
    public func uniqueName(_ base: String) -> String {
        let names = Set(values.map(\.name))
        if !names.contains(base) { return base }
        var counter = 1
        while names.contains("\(base)_\(counter)") { counter += 1 }
        return "\(base)_\(counter)"
    }

    /// Points every reader of `old` (node inputs and graph outputs) at `new`.
    public mutating func replaceAllUses(of old: ValueID, with new: ValueID) {
        replaceUses([old: new])
    }

    /// Applies many replacements in one pass over the graph (chains such as a → b → c resolve
    /// to c), so a pass removing k nodes costs O(nodes), not O(k · nodes).
    public mutating func replaceUses(_ replacements: [ValueID: ValueID]) {
        guard !replacements.isEmpty else { return }
        func resolve(_ id: ValueID) -> ValueID {
            var current = id
            var steps = 0
            while let next = replacements[current], steps <= replacements.count {
                current = next
                steps += 1
            }
            return current
        }
        for index in nodes.indices {
            for position in nodes[index].inputs.indices {
                if let input = nodes[index].inputs[position], replacements[input] != nil {
                    nodes[index].inputs[position] = resolve(input)
                }
            }
        }
        for position in outputs.indices where replacements[outputs[position]] != nil {
            outputs[position] = resolve(outputs[position])
        }
    }

    /// How many node inputs and graph outputs read each value.
    public func useCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: values.count)
        for node in nodes {
            for input in node.inputs { if let input { counts[input.index] += 1 } }
        }
        for output in outputs { counts[output.index] += 1 }
        return counts
    }

    /// Renumbers values so only live ones remain and origins match node positions.
    /// Graph outputs that are graph inputs or initializers are kept as they are.
    public mutating func compact() {
        var keep = [Bool](repeating: false, count: values.count)
        for input in inputs { keep[input.index] = true }
        for id in initializers.keys { keep[id.index] = true }  // removed only by remove-unused-initializers
        for output in outputs { keep[output.index] = true }
        for node in nodes {
            for input in node.inputs { if let input { keep[input.index] = true } }
            for output in node.outputs { if let output { keep[output.index] = true } }
        }
        var mapping = [ValueID?](repeating: nil, count: values.count)
        var compacted: [Value] = []
        for index in values.indices where keep[index] {
            mapping[index] = ValueID(index: compacted.count)
            compacted.append(values[index])
        }
        func map(_ id: ValueID) -> ValueID { mapping[id.index] ?? id }
        values = compacted
        inputs = inputs.map(map)
        outputs = outputs.map(map)
        var newInitializers: [ValueID: ProtoTensor] = [:]
        for (id, tensor) in initializers { if let new = mapping[id.index] { newInitializers[new] = tensor } }
        initializers = newInitializers
        for index in nodes.indices {
            nodes[index].inputs = nodes[index].inputs.map { $0.map(map) }
            nodes[index].outputs = nodes[index].outputs.map { $0.map(map) }
            for output in nodes[index].outputs { if let output { values[output.index].origin = .node(NodeID(index: index)) } }
        }
    }
}

extension Graph {
    /// The float value of a one-element float initializer or Constant output (Clip's bounds).
    public func constantScalar(_ value: ValueID) -> Float? {
        var tensor = initializers[value]
        if tensor == nil, let producer = producer(of: value), nodes[producer.index].op == .constant {
            let attributes = nodes[producer.index].attributes
            if attributes.has("value_float") { return attributes.float("value_float", default: 0) }
            tensor = attributes.tensor("value")
        }
        guard let tensor, tensor.dataType.resolved == .float, let values = try? tensor.floatValues(), values.count == 1
        else {
            return nil
        }
        return values[0]
    }
}
