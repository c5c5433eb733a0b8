import ModelFormat
import SwiftProtobuf

/// What `modelc show` prints: nodes with shapes and parameter counts, totals, and heads.
public struct ModelSummary: Codable, Sendable {
    /// One row per node.
    public struct NodeRow: Codable, Sendable {
        public var name: String
        public var op: String
        /// Output shapes, declared or inferred, e.g. "[N,10]"; "?" where unknown.
        public var outputShapes: [String]
        /// Elements of initializers this node is the first to consume.
        public var parameters: Int
    }

    /// One row per head.
    public struct HeadRow: Codable, Sendable {
        public var name: String
        public var output: String
        public var target: String
        public var encoding: String
        public var numClasses: Int64
        public var loss: String
        public var fromLogits: Bool
        public var decoder: String
        public var classLabels: [String]
        public var metrics: [String]
    }

    public var graphName: String
    public var inputs: [String]
    public var outputs: [String]
    public var nodes: [NodeRow]
    public var parameters: Int
    public var heads: [HeadRow]

    /// The summary of `model`. Filler-only weights count by their declared dims.
    public init(_ model: ProtoModel) {
        let graph = model.graph
        var shapes: [String: String] = [:]
        for info in graph.input + graph.valueInfo + graph.output where !info.unknownRank {
            shapes[info.name] = Self.shape(info)
        }
        // Inferred shapes fill in what the file does not declare (when the model verifies).
        for (name, type) in ShapeInference.inferredTypes(model) ?? [:] where type.dims != nil && shapes[name] == nil {
            shapes[name] = type.description
        }
        var sizes: [String: Int] = [:]
        for tensor in graph.initializer {
            sizes[tensor.name] = (try? tensor.elementCount()) ?? 0
            shapes[tensor.name] = "[" + tensor.dims.map(String.init).joined(separator: ",") + "]"
        }
        var counted = Set<String>()
        nodes = graph.node.enumerated().map { index, node in
            var parameters = 0
            for input in node.input where sizes[input] != nil && counted.insert(input).inserted {
                parameters += sizes[input] ?? 0
            }
            return NodeRow(
                name: node.name.isEmpty ? "#\(index)" : node.name, op: node.opType,
                outputShapes: node.output.map { shapes[$0] ?? "?" }, parameters: parameters)
        }
        parameters = sizes.values.reduce(0, +)
        graphName = graph.name
        inputs = graph.input.map { "\($0.name) \($0.unknownRank ? "?" : Self.shape($0)) \($0.elemType.resolved.onnxName)" }
        outputs = graph.output.map { "\($0.name) \($0.unknownRank ? "?" : Self.shape($0)) \($0.elemType.resolved.onnxName)" }
        heads = model.head.enumerated().map { index, head in
            HeadRow(
                name: head.name.isEmpty ? "#\(index)" : head.name, output: head.output, target: head.target,
                encoding: Self.enumName(head.encoding.kind), numClasses: head.encoding.numClasses,
                loss: Self.enumName(head.loss.kind), fromLogits: head.loss.fromLogits,
                decoder: Self.enumName(head.decoder.kind), classLabels: head.classLabel,
                metrics: head.metric.map(Self.enumName))
        }
    }

    static func shape(_ info: ProtoValueInfo) -> String {
        "[" + info.dim.map { dim in
            switch dim.size {
            case .value(let value)?: String(value)
            case .param(let param)?: param
            case nil: "?"
            }
        }.joined(separator: ",") + "]"
    }

    /// The proto spelling of an enum value, e.g. SOFTMAX_CROSS_ENTROPY.
    static func enumName<E: SwiftProtobuf.Enum>(_ value: E) -> String {
        var name = ""
        for character in String(describing: value) {
            if character.isUppercase { name += "_" }
            name += character.uppercased()
        }
        return name
    }

    /// A fixed-width text table for terminals.
    public var text: String {
        var lines: [String] = []
        lines.append("graph '\(graphName)'")
        lines.append("  inputs:  \(inputs.joined(separator: ", "))")
        lines.append("  outputs: \(outputs.joined(separator: ", "))")
        let header = ("node", "op", "output shape", "parameters")
        let rows = nodes.map { ($0.name, $0.op, $0.outputShapes.joined(separator: " "), String($0.parameters)) }
        let widths = (
            max(header.0.count, rows.map(\.0.count).max() ?? 0), max(header.1.count, rows.map(\.1.count).max() ?? 0),
            max(header.2.count, rows.map(\.2.count).max() ?? 0)
        )
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        lines.append("")
        for row in [header] + rows {
            lines.append("  \(pad(row.0, widths.0))  \(pad(row.1, widths.1))  \(pad(row.2, widths.2))  \(row.3)")
        }
        lines.append("")
        lines.append("total parameters: \(parameters)")
        for head in heads {
            lines.append("")
            lines.append("head '\(head.name)': output \(head.output), target \(head.target.isEmpty ? "-" : head.target)")
            lines.append("  encoding \(head.encoding) (\(head.numClasses) classes), loss \(head.loss)\(head.fromLogits ? " from logits" : ""), decoder \(head.decoder)")
            if !head.classLabels.isEmpty { lines.append("  class labels: \(head.classLabels.joined(separator: ", "))") }
            if !head.metrics.isEmpty { lines.append("  metrics: \(head.metrics.joined(separator: ", "))") }
        }
        return lines.joined(separator: "\n")
    }
}
