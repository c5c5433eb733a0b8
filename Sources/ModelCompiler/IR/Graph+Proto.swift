import Foundation
import ModelFormat

extension Graph {
    /// The IR of a verified protobuf graph (the verifier has ruled out undefined values,
    /// unknown ops and cycles); nodes are put in dependency order. Types are the declared ones
    /// (value infos, initializer dims) until shape inference fills in the rest.
    public init(_ proto: ProtoGraph) throws(CompileError) {
        name = proto.name
        values = []
        nodes = []
        inputs = []
        outputs = []
        initializers = [:]
        var ids: [String: ValueID] = [:]
        var declared: [String: TensorType] = [:]
        for info in proto.input + proto.valueInfo + proto.output {
            declared[info.name] = TensorType(info)
        }
        func add(_ name: String, origin: Value.Origin, type: TensorType?) -> ValueID {
            let id = ValueID(index: values.count)
            values.append(Value(name: name, type: type ?? declared[name] ?? TensorType(.float, nil), origin: origin))
            ids[name] = id
            return id
        }
        for info in proto.input {
            inputs.append(add(info.name, origin: .input, type: declared[info.name]))
        }
        for tensor in proto.initializer {
            let type = TensorType(tensor.dataType.resolved, tensor.dims.map { .fixed(Int($0)) })
            initializers[add(tensor.name, origin: .initializer, type: type)] = tensor
        }
        var problems: [Diagnostic] = []
        for node in TopologicalOrder.sorted(proto) {
            guard let schema = OpRegistry.schema(opType: node.opType, domain: node.domain) else {
                problems.append(Diagnostic(.error, "graph.unsupported-ops", .init(node: node.name, op: node.opType), "unsupported op"))
                continue
            }
            let nodeID = NodeID(index: nodes.count)
            let inputIDs: [ValueID?] = node.input.map { $0.isEmpty ? nil : ids[$0] }
            let outputIDs: [ValueID?] = node.output.map { name in
                name.isEmpty ? nil : add(name, origin: .node(nodeID), type: nil)
            }
            nodes.append(Node(
                name: node.name, op: schema.type, inputs: inputIDs, outputs: outputIDs,
                attributes: Attributes(node.attribute), doc: node.doc))
        }
        for info in proto.output {
            if let id = ids[info.name] { outputs.append(id) }
        }
        if !problems.isEmpty { throw .invalidModel(problems) }
    }

    /// The protobuf form: nodes in order, value infos for every intermediate with a known rank.
    public var proto: ProtoGraph {
        var graph = ProtoGraph()
        graph.name = name
        graph.input = inputs.map { ProtoValueInfo(name: values[$0.index].name, type: values[$0.index].type) }
        graph.output = outputs.map { ProtoValueInfo(name: values[$0.index].name, type: values[$0.index].type) }
        graph.initializer = initializers.keys.sorted().compactMap { initializers[$0] }
        let outputSet = Set(outputs)
        graph.valueInfo = values.indices.compactMap { index in
            let value = values[index]
            guard case .node = value.origin, !outputSet.contains(ValueID(index: index)), value.type.dims != nil else {
                return nil
            }
            return ProtoValueInfo(name: value.name, type: value.type)
        }
        graph.node = nodes.map { node in
            var proto = ProtoNode()
            proto.name = node.name
            proto.opType = node.op.rawValue
            proto.domain = node.op.domain
            proto.input = node.inputs.map { $0.map { values[$0.index].name } ?? "" }
            proto.output = node.outputs.map { $0.map { values[$0.index].name } ?? "" }
            proto.attribute = node.attributes.proto
            proto.doc = node.doc
            return proto
        }
        return graph
    }
}

extension TensorType {
    /// The declared type of a value info.
    init(_ info: ProtoValueInfo) {
        let dims: [Dim]? = info.unknownRank ? nil : info.dim.map { dim in
            switch dim.size {
            case .value(let value)?: .fixed(Int(value))
            case .param(let param)?: Dim(parsing: param)
            case nil: .unknown
            }
        }
        self.init(info.elemType.resolved, dims)
    }
}

extension ProtoValueInfo {
    /// A value info declaring `type` for `name`.
    init(name: String, type: TensorType) {
        self.init()
        self.name = name
        elemType = type.dataType
        guard let dims = type.dims else {
            unknownRank = true
            return
        }
        dim = dims.map { dim in
            var proto = ProtoDim()
            switch dim {
            case .fixed(let value): proto.value = Int64(value)
            case .symbol(let name): proto.param = name
            case .product(let coefficient, let name): proto.param = "\(name)*\(coefficient)"
            case .unknown: break
            }
            return proto
        }
    }
}

extension Dim {
    /// A symbol, or a product dim written `name*k` (ours) or `k*name` (PyTorch's dynamo
    /// exporter), so that both spellings of one product compare equal.
    init(parsing param: String) {
        let parts = param.split(separator: "*").map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.count == 2, let coefficient = Int(parts[1]), coefficient >= 2, Int(parts[0]) == nil {
            self = .product(coefficient, parts[0])
        } else if parts.count == 2, let coefficient = Int(parts[0]), coefficient >= 2, Int(parts[1]) == nil {
            self = .product(coefficient, parts[1])
        } else {
            self = .symbol(param)
        }
    }
}
