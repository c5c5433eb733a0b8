import ModelFormat

/// Index of a value in `Graph.values`.
public struct ValueID: Hashable, Sendable, Comparable {
    public let index: Int
    public init(index: Int) { self.index = index }
    public static func < (lhs: ValueID, rhs: ValueID) -> Bool { lhs.index < rhs.index }
}

/// Index of a node in `Graph.nodes`.
public struct NodeID: Hashable, Sendable {
    public let index: Int
    public init(index: Int) { self.index = index }
}

/// A named value of the graph: a feed, a weight or a node output.
public struct Value: Sendable, Equatable {
    /// Where the value comes from.
    public enum Origin: Sendable, Equatable {
        case input
        case initializer
        case node(NodeID)
    }

    public var name: String
    public var type: TensorType
    public var origin: Origin
}

/// One operation of the IR: a registered op with typed attributes and value handles.
public struct Node: Sendable, Equatable {
    public var name: String
    public var op: OpType
    /// One entry per input port; nil for an omitted optional input.
    public var inputs: [ValueID?]
    /// One entry per output; nil for an omitted optional output.
    public var outputs: [ValueID?]
    public var attributes: Attributes
    public var doc: String
}

/// The compiler's in-memory graph: values and nodes addressed by integer handles, nodes in
/// dependency order. A value type, so an O0 and an O2 graph can be kept side by side.
public struct Graph: Sendable, Equatable {
    public var name: String
    public var values: [Value]
    public var nodes: [Node]
    public var inputs: [ValueID]
    public var outputs: [ValueID]
    /// Weights and constants, by value.
    public var initializers: [ValueID: ProtoTensor]

    /// An empty graph named `name`.
    public init(name: String) {
        self.name = name
        values = []
        nodes = []
        inputs = []
        outputs = []
        initializers = [:]
    }

    /// The value named `name`.
    public func value(named name: String) -> ValueID? {
        values.firstIndex { $0.name == name }.map(ValueID.init)
    }

    /// The node producing `value`, if a node does.
    public func producer(of value: ValueID) -> NodeID? {
        if case .node(let node) = values[value.index].origin { return node }
        return nil
    }

    /// Nodes that read `value`, in order.
    public func consumers(of value: ValueID) -> [NodeID] {
        nodes.indices.filter { nodes[$0].inputs.contains(value) }.map(NodeID.init)
    }

    /// The value with handle `value`.
    public subscript(value: ValueID) -> Value {
        get { values[value.index] }
        set { values[value.index] = newValue }
    }
}
