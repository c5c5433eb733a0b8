import Foundation
import ModelFormat

/// The ONNX opset an export declares, and each node rewritten into that opset's form.
///
/// The rule: export writes opset 17 (`OpDomain.onnxOpset`, the opset of the widest tool
/// support) unless some node cannot be written at 17; then it writes the lowest opset that
/// expresses every node. Forms that move between versions are converted both ways:
/// - ReduceMean/ReduceMax: axes from a constant input become the `axes` attribute at 17;
///   axes that are no constant (a graph input or a computed value) need opset 18, where an
///   `axes` attribute becomes a constant input. `noop_with_empty_axes` = 1 without axes is an
///   Identity at 17; with axes it has no effect and is dropped.
/// - Split with `num_outputs`: at 17 the part sizes become a `split` input when the shapes
///   give the extent along the axis; otherwise opset 18.
/// - AveragePool with dilations other than 1 needs opset 19 (dilations of 1 are dropped).
/// - Gelu is ONNX-domain only from opset 20, so a graph with Gelu is written at opset 20 and
///   ONNX tools can run it (import still takes Gelu of our domain at any opset).
/// - Cast's `saturate` (19) and `round_mode` (24) only affect float8 types, which we do not
///   store, and are dropped below those opsets.
enum ONNXExportOpset {
    /// The opset `graph` is written at, by the rule above.
    static func opset(for graph: ProtoGraph) -> Int64 {
        let context = Context(graph)
        return graph.node.reduce(OpDomain.onnxOpset) { max($0, context.lowestOpset(of: $1)) }
    }

    /// `graph` with every node in the form of `opset`'s version (new initializers hold axes
    /// and split sizes that move from attributes to inputs).
    static func rewrite(_ graph: ProtoGraph, opset: Int64) -> ProtoGraph {
        let context = Context(graph)
        var graph = graph
        var names = Set(graph.initializer.map(\.name) + graph.input.map(\.name) + graph.node.flatMap(\.output))
        func newInitializer(_ values: [Int64], near name: String) -> String {
            var unique = name
            var counter = 1
            while names.contains(unique) {
                unique = "\(name)_\(counter)"
                counter += 1
            }
            names.insert(unique)
            var tensor = ProtoTensor()
            tensor.name = unique
            tensor.dataType = .int64
            tensor.dims = [Int64(values.count)]
            tensor.int64Data = values
            graph.initializer.append(tensor)
            return unique
        }
        for index in graph.node.indices {
            var node = graph.node[index]
            let label = node.output.first ?? node.name
            switch node.opType {
            case "ReduceMean", "ReduceMax":
                if opset >= 18 {
                    if let axes = node.attribute.first(where: { $0.name == "axes" }) {
                        node.attribute.removeAll { $0.name == "axes" }
                        node.input = [node.input[0], newInitializer(axes.ints, near: "\(label)_axes")]
                    }
                } else {
                    let axes = context.reductionAxes(node) ?? []
                    let noop = node.attribute.contains { $0.name == "noop_with_empty_axes" && $0.i == 1 }
                    node.attribute.removeAll { $0.name == "noop_with_empty_axes" || $0.name == "axes" }
                    node.input = Array(node.input.prefix(1))
                    if axes.isEmpty && noop {
                        node.opType = "Identity"
                        node.attribute = []
                    } else if !axes.isEmpty {
                        var attribute = ProtoAttribute()
                        attribute.name = "axes"
                        attribute.ints = axes
                        node.attribute.append(attribute)
                    }
                }
            case "Split" where opset < 18:
                if let sizes = context.splitSizes(node) {
                    node.attribute.removeAll { $0.name == "num_outputs" }
                    node.input = [node.input[0], newInitializer(sizes, near: "\(label)_split")]
                }
            case "AveragePool" where opset < 19:
                node.attribute.removeAll { $0.name == "dilations" }
            case "Cast":
                if opset < 19 { node.attribute.removeAll { $0.name == "saturate" } }
                if opset < 24 { node.attribute.removeAll { $0.name == "round_mode" } }
            case "Gelu":
                node.domain = opset >= 20 ? "" : OpDomain.ours
            default:
                break
            }
            graph.node[index] = node
        }
        return graph
    }

    /// The ONNX IR version paired with `opset` (onnx.helper.VERSION_TABLE): 8 for 17-18, 9 for
    /// 19-20, 10 for 21-22, 11 for 23, 12 for 24, 13 for 25.
    static func irVersion(for opset: Int64) -> Int64 {
        switch opset {
        case ...18: 8
        case 19...20: 9
        case 21...22: 10
        case 23: 11
        case 24: 12
        default: 13
        }
    }

    /// Integer constants and value shapes of the graph being written.
    private struct Context {
        var constants: [String: [Int64]] = [:]
        var dims: [String: [ProtoDim]] = [:]

        init(_ graph: ProtoGraph) {
            for tensor in graph.initializer {
                if let values = ShapeInference.integerValues(tensor) { constants[tensor.name] = values }
            }
            for node in graph.node where node.opType == "Constant" {
                if let output = node.output.first,
                    let values = ShapeInference.constantValues(Attributes(node.attribute))
                {
                    constants[output] = values
                }
            }
            for info in graph.valueInfo + graph.output + graph.input where !info.unknownRank {
                dims[info.name] = info.dim
            }
        }

        /// The axes of a ReduceMean/ReduceMax: its constant axes input or its attribute;
        /// nil when input 1 is not a constant.
        func reductionAxes(_ node: ProtoNode) -> [Int64]? {
            if node.input.count > 1 && !node.input[1].isEmpty { return constants[node.input[1]] }
            return node.attribute.first { $0.name == "axes" }?.ints ?? []
        }

        /// The part sizes of a Split with num_outputs, from its outputs' known shapes.
        func splitSizes(_ node: ProtoNode) -> [Int64]? {
            var sizes: [Int64] = []
            let axis = node.attribute.first { $0.name == "axis" }?.i ?? 0
            for output in node.output {
                guard let dims = dims[output], !dims.isEmpty else { return nil }
                let position = Int(axis < 0 ? axis + Int64(dims.count) : axis)
                guard dims.indices.contains(position), case .value(let size)? = dims[position].size else { return nil }
                sizes.append(size)
            }
            return sizes
        }

        func lowestOpset(of node: ProtoNode) -> Int64 {
            switch node.opType {
            case "ReduceMean", "ReduceMax":
                return reductionAxes(node) == nil ? 18 : OpDomain.onnxOpset
            case "Split" where node.attribute.contains(where: { $0.name == "num_outputs" }):
                let given = node.input.count > 1 && !node.input[1].isEmpty
                return !given && splitSizes(node) == nil ? 18 : OpDomain.onnxOpset
            case "AveragePool":
                let dilations = node.attribute.first { $0.name == "dilations" }?.ints ?? []
                return dilations.allSatisfy { $0 == 1 } ? OpDomain.onnxOpset : 19
            case "Gelu":
                return 20
            default:
                return OpDomain.onnxOpset
            }
        }
    }
}
