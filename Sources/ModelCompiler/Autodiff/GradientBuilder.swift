import Foundation
import ModelFormat

/// What a gradient rule sees and how it adds nodes: the forward node, the gradient flowing
/// into each of its outputs, and an `emit` that appends a node to the graph.
///
/// Values a rule creates get their types from shape inference, which runs over the whole
/// training graph once autodiff is done.
public struct GradientBuilder {
    var graph: Graph
    /// The forward node whose inputs' gradients the rule computes.
    public private(set) var node: Node
    /// dL/d(output k) per output; nil when no gradient reaches that output.
    public private(set) var outputGradients: [ValueID?]
    /// Which inputs need a gradient (the rule may skip the others).
    public private(set) var needsGradient: [Bool]
    private var counter = 0
    private var nodeLabel = ""

    init(graph: Graph) {
        self.graph = graph
        node = Node(name: "", op: .identity, inputs: [], outputs: [], attributes: Attributes([]), doc: "")
        outputGradients = []
        needsGradient = []
    }

    /// Starts the rule of the forward node at `index`. Names of the values it creates derive
    /// from the node's name, or from its op and index when unnamed, so two unnamed nodes of one
    /// op never give two values the same name.
    mutating func begin(node: Node, index: Int, outputGradients: [ValueID?], needsGradient: [Bool]) {
        self.node = node
        self.outputGradients = outputGradients
        self.needsGradient = needsGradient
        nodeLabel = node.name.isEmpty ? "\(node.op.rawValue)#\(index)" : node.name
        counter = 0
    }

    /// Whether input `position` needs a gradient (false for positions the node lacks).
    public func needs(_ position: Int) -> Bool { position < needsGradient.count && needsGradient[position] }

    /// The output positions among 0..<count of a multi-gradient node (ConvGrad, ...) that
    /// compute gradients no input needs, so `emitNode` can leave them out.
    public func unneeded(_ count: Int) -> Set<Int> { Set((0..<count).filter { !needs($0) }) }

    /// Input `position` of the forward node (nil when omitted).
    public func input(_ position: Int) -> ValueID? { position < node.inputs.count ? node.inputs[position] : nil }
    /// Output `position` of the forward node.
    public func output(_ position: Int) -> ValueID? { position < node.outputs.count ? node.outputs[position] : nil }
    /// The inferred type of `value` in the forward graph.
    public func type(of value: ValueID) -> TensorType { graph[value].type }
    /// The forward node's attributes.
    public var attributes: Attributes { node.attributes }

    /// The values of an integer constant: an INT64/INT32 initializer or a Constant node's value
    /// (decoded as shape inference decodes them).
    public func constantInts(_ value: ValueID) -> [Int]? {
        if let tensor = graph.initializers[value] { return ShapeInference.integerValues(tensor)?.map { Int($0) } }
        guard let producer = graph.producer(of: value), graph.nodes[producer.index].op == .constant else { return nil }
        return ShapeInference.constantValues(graph.nodes[producer.index].attributes)?.map { Int($0) }
    }

    /// The value of a scalar float constant: an initializer or a Constant node's value.
    public func constantFloat(_ value: ValueID) -> Float? { graph.constantScalar(value) }

    /// Appends a node computing `op` of `inputs` with `outputCount` outputs (nil entries for
    /// outputs `skip` lists), and returns their values.
    public mutating func emitNode(
        _ op: OpType, _ inputs: [ValueID?], attributes: Attributes = Attributes([]), outputCount: Int = 1,
        skip: Set<Int> = []
    ) -> [ValueID?] {
        counter += 1
        let name = "\(nodeLabel)/grad/\(op.rawValue)_\(counter)"
        let id = NodeID(index: graph.nodes.count)
        let outputs: [ValueID?] = (0..<outputCount).map { position in
            skip.contains(position)
                ? nil : graph.addValue(name: "\(name):\(position)", type: TensorType(.float, nil), origin: .node(id))
        }
        graph.nodes.append(Node(name: name, op: op, inputs: inputs, outputs: outputs, attributes: attributes, doc: ""))
        return outputs
    }

    /// Appends a one-output node and returns its value.
    public mutating func emit(_ op: OpType, _ inputs: [ValueID?], attributes: Attributes = Attributes([])) -> ValueID {
        emitNode(op, inputs, attributes: attributes)[0]!  // one output, none skipped
    }

    /// An INT64 constant (axes, split sizes) as an initializer.
    public mutating func constant(ints values: [Int]) -> ValueID {
        counter += 1
        var tensor = ProtoTensor()
        tensor.name = "\(nodeLabel)/grad/const_\(counter)"
        tensor.dataType = .int64
        tensor.dims = [Int64(values.count)]
        tensor.int64Data = values.map { Int64($0) }
        return graph.addInitializer(tensor)
    }

    /// A FLOAT scalar constant as an initializer.
    public mutating func constant(float value: Float) -> ValueID {
        counter += 1
        return graph.addInitializer(ProtoTensor(name: "\(nodeLabel)/grad/const_\(counter)", shape: [], floats: [value]))
    }

    /// A rule's failure: the op cannot be differentiated with these attributes or shapes.
    public func unsupported(_ reason: String) -> CompileError {
        .invalidModel([
            Diagnostic(
                .error, "train.no-gradient", .init(node: nodeLabel, op: node.op.rawValue),
                "cannot train through this node: \(reason)",
                fix: "freeze the weights before it (training.frozen) or use an op with a gradient rule")
        ])
    }
}
