import ModelFormat

/// What head checks see: the head itself and facts about the value it reads.
///
/// Built from the model by `HeadView.make`; shape facts come from declared value infos now and
/// from shape inference once it runs before the checks.
public struct HeadView: Sendable {
    /// The activation applied last before the head's output value (looking through
    /// shape-preserving ops: Identity, Dropout, Reshape, Flatten, Squeeze, Unsqueeze).
    public enum OutputActivation: Sendable, Equatable {
        case none  // a linear op (Gemm, MatMul, Conv, Add, ...) or a graph input
        case softmax(axis: Int)
        case logSoftmax(axis: Int)
        case sigmoid
        case relu
        case tanh
        case other(String)  // any other op type
    }

    public let head: ProtoHead
    /// `head.name`, or `#index` when unnamed, for messages.
    public let name: String
    /// The node producing the output (after looking through shape-preserving ops), if any.
    public let producerNode: String?
    public let activation: OutputActivation
    /// Rank of the output value when known.
    public let outputRank: Int?
    /// Size of the class axis (axis 1, or the last axis of a rank-1 output) when known.
    public let outputWidth: Int?
    /// Size of the axis the output activation normalises over, when known.
    public let activationAxisSize: Int?
    /// A Softmax or LogSoftmax on the path to the output: the activation itself, or one
    /// followed only by element-wise and shape-preserving ops (a scale, a clip, a reshape), which
    /// leave its outputs competing for one unit of probability.
    public let softmaxOnPath: NodeRef?

    /// An op and its node's name (the op type when the node is unnamed), for messages.
    public struct NodeRef: Sendable, Equatable {
        public let op: String
        public let node: String
    }

    public init(
        head: ProtoHead, name: String, producerNode: String?, activation: OutputActivation, outputRank: Int?,
        outputWidth: Int?, activationAxisSize: Int?, softmaxOnPath: NodeRef? = nil
    ) {
        self.head = head
        self.name = name
        self.producerNode = producerNode
        self.activation = activation
        self.outputRank = outputRank
        self.outputWidth = outputWidth
        self.activationAxisSize = activationAxisSize
        self.softmaxOnPath = softmaxOnPath
    }

    /// Ops that keep each output tied to one unit of what they read (element-wise, or a shape
    /// change), so a softmax before them still decides what the head sees.
    static let pathPreserving: Set<String> = [
        "Identity", "Dropout", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Clip", "Mul", "Div", "Add",
        "Sub", "Pow", "Sqrt", "Cast", "Max", "Min", "Abs", "Neg",
    ]

    /// The first Softmax or LogSoftmax met walking back from `value` through path-preserving ops
    /// (any of their inputs: a scale may come first); at most 256 nodes are visited.
    static func softmax(before value: String, producers: [String: ProtoNode]) -> NodeRef? {
        var pending = [value]
        var seen: Set<String> = []
        while let next = pending.popLast(), seen.count < 256 {
            guard seen.insert(next).inserted, let current = producers[next] else { continue }
            if current.opType == "Softmax" || current.opType == "LogSoftmax" {
                return NodeRef(op: current.opType, node: current.name.isEmpty ? current.opType : current.name)
            }
            if pathPreserving.contains(current.opType) { pending += current.input.filter { !$0.isEmpty } }
        }
        return nil
    }

    /// Views of every head of `model`. `shapes` gives a value's dims (nil entries unknown);
    /// by default the dims declared in the graph's inputs, outputs and value infos.
    public static func make(_ model: ProtoModel, shapes: ((String) -> [Int?]?)? = nil) -> [HeadView] {
        let graph = model.graph
        var declared: [String: [Int?]] = [:]
        for info in graph.input + graph.valueInfo + graph.output where !info.unknownRank {
            declared[info.name] = info.dim.map { dim in
                if case .value(let value)? = dim.size { return Int(value) }
                return nil
            }
        }
        let dims = shapes ?? { declared[$0] }
        var producer: [String: ProtoNode] = [:]
        for node in graph.node {
            for output in node.output where !output.isEmpty { producer[output] = node }
        }
        let passThrough: Set<String> = ["Identity", "Dropout", "Reshape", "Flatten", "Squeeze", "Unsqueeze"]
        return model.head.enumerated().map { index, head in
            var value = head.output
            var node = producer[value]
            var steps = 0
            while let current = node, passThrough.contains(current.opType), let input = current.input.first, steps < 64 {
                value = input
                node = producer[input]
                steps += 1
            }
            let outputDims = dims(head.output)
            let axisAttribute = node?.attribute.first { $0.name == "axis" }.map { Int($0.i) } ?? -1
            let activation: OutputActivation
            switch node?.opType {
            case nil, "Gemm", "MatMul", "Conv", "ConvTranspose", "Add", "Sub", "Mul", "FusedGemm", "FusedConv":
                activation = .none
            case "Softmax": activation = .softmax(axis: axisAttribute)
            case "LogSoftmax": activation = .logSoftmax(axis: axisAttribute)
            case "Sigmoid": activation = .sigmoid
            case "Relu": activation = .relu
            case "Tanh": activation = .tanh
            case let other?: activation = .other(other)
            }
            var axisSize: Int?
            if let activationDims = dims(value) {
                let rank = activationDims.count
                let axis = axisAttribute < 0 ? axisAttribute + rank : axisAttribute
                if axis >= 0 && axis < rank { axisSize = activationDims[axis] }
            }
            let width: Int? = outputDims.flatMap { d in d.count >= 2 ? d[1] : d.last ?? nil }
            return HeadView(
                head: head, name: head.name.isEmpty ? "#\(index)" : head.name,
                producerNode: node.map { $0.name.isEmpty ? $0.opType : $0.name }, activation: activation,
                outputRank: outputDims?.count, outputWidth: width, activationAxisSize: axisSize,
                softmaxOnPath: softmax(before: head.output, producers: producer))
        }
    }
}
