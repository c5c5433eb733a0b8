import Foundation
import ModelFormat
import SwiftProtobuf

/// Maps our model onto an ONNX `ModelProto`, at opset 17 (IR version 8) unless a node needs a
/// later opset (`ONNXExportOpset` states the rule and converts the forms).
///
/// Attribute types come from the op registry, which is why export lives in the compiler.
/// Fillers must be materialised first (ONNX has no filler); compressed and external payloads
/// are decoded into `raw_data`. Heads and the training section travel as metadata in text
/// format (`modelformat.head.<i>`, `modelformat.training`) and `ONNXImport` restores them.
public enum ONNXExport {
    /// ONNX IR version written at opset 17 (the pairing of onnx.helper.VERSION_TABLE).
    public static let irVersion: Int64 = 8

    /// The ONNX form of `model`, which must verify without errors.
    public static func convert(_ model: ProtoModel, file: URL? = nil) throws(CompileError) -> Onnx_ModelProto {
        let diagnostics = Verifier(file: file).verify(model)
        if diagnostics.hasErrors { throw .invalidModel(diagnostics) }
        var materialized = try FillerMaterializer.materialize(model)
        materialized.graph.node = materialized.graph.node.flatMap(unfused)
        let opsetVersion = ONNXExportOpset.opset(for: materialized.graph)
        materialized.graph = ONNXExportOpset.rewrite(materialized.graph, opset: opsetVersion)
        let context = PayloadContext(modelFile: file)
        var onnx = Onnx_ModelProto()
        onnx.irVersion = ONNXExportOpset.irVersion(for: opsetVersion)
        onnx.producerName = model.producerName.isEmpty ? "modelc" : model.producerName
        onnx.producerVersion = model.producerName.isEmpty ? ToolVersion.current : model.producerVersion
        if !model.doc.isEmpty { onnx.docString = model.doc }
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = opsetVersion
        onnx.opsetImport = [opset]
        if materialized.graph.node.contains(where: { domain(of: $0) == OpDomain.ours }) {
            var ours = Onnx_OperatorSetIdProto()
            ours.domain = OpDomain.ours
            ours.version = 1
            onnx.opsetImport.append(ours)
        }
        onnx.metadataProps = model.metadata.map { entry(entry: $0.key, $0.value) }
        for (index, head) in model.head.enumerated() {
            onnx.metadataProps.append(entry(entry: "\(ONNXImport.headMetadataPrefix)\(index)", head.textFormatString()))
        }
        if model.hasTraining {
            onnx.metadataProps.append(entry(entry: ONNXImport.trainingMetadataKey, model.training.textFormatString()))
        }
        do {
            onnx.graph = try convert(materialized.graph, context: context)
        } catch {
            throw .format(error)
        }
        return onnx
    }

    /// Writes the ONNX form of `model` to `url` atomically.
    public static func write(_ model: ProtoModel, to url: URL, sourceFile: URL? = nil) throws(CompileError) {
        let onnx = try convert(model, file: sourceFile)
        do {
            let bytes: Data = try onnx.serializedBytes()
            try AtomicFile.write(bytes, to: url)
        } catch let error as FormatError {
            throw .format(error)
        } catch {
            throw .format(.writeFailed(file: url.path, reason: String(describing: error)))
        }
    }

    private static func entry(entry key: String, _ value: String) -> Onnx_StringStringEntryProto {
        var pair = Onnx_StringStringEntryProto()
        pair.key = key
        pair.value = value
        return pair
    }

    private static func convert(_ graph: ProtoGraph, context: PayloadContext) throws(FormatError) -> Onnx_GraphProto {
        var onnx = Onnx_GraphProto()
        onnx.name = graph.name.isEmpty ? "graph" : graph.name
        onnx.input = graph.input.map(convert)
        onnx.output = graph.output.map(convert)
        onnx.valueInfo = graph.valueInfo.map(convert)
        for tensor in graph.initializer {
            onnx.initializer.append(try convert(tensor, context: context))
        }
        for node in graph.node {
            onnx.node.append(try convert(node, context: context))
        }
        return onnx
    }

    /// FusedGemm / FusedConv (our domain, made by the optimiser) as the standard producer,
    /// FusedConv's residual Add when it has a Z input, and the activation (Clip's bounds as
    /// Constant nodes), so ONNX tools can run the export.
    static func unfused(_ node: ProtoNode) -> [ProtoNode] {
        guard node.opType == "FusedGemm" || node.opType == "FusedConv", let output = node.output.first else { return [node] }
        let activation = node.attribute.first { $0.name == "activation" }.map { String(decoding: $0.s, as: UTF8.self) } ?? ""
        func float(_ name: String) -> Float? { node.attribute.first { $0.name == name }?.f }
        var producer = node
        producer.opType = node.opType == "FusedGemm" ? "Gemm" : "Conv"
        producer.domain = ""
        producer.attribute = node.attribute.filter { !$0.name.hasPrefix("activation") }
        producer.input = Array(node.input.prefix(3))
        while producer.input.last == "" { producer.input.removeLast() }
        var nodes = [producer]
        var current = output
        func step(_ suffix: String) -> String {
            let name = "\(output).before_\(suffix)"
            nodes[nodes.count - 1].output = [name]
            return name
        }
        let hasActivation = !activation.isEmpty && activation != "Identity"
        if node.input.count > 3, !node.input[3].isEmpty {
            var add = ProtoNode()
            add.name = node.name.isEmpty ? "" : "\(node.name).residual_add"
            add.opType = "Add"
            add.input = [step("residual_add"), node.input[3]]
            add.output = [current]
            nodes.append(add)
        }
        guard hasActivation else { return nodes }
        if activation == "Swish" {
            // y·σ(y) as the two standard nodes it came from.
            let value = step("swish")
            var sigmoid = ProtoNode()
            sigmoid.name = node.name.isEmpty ? "" : "\(node.name).sigmoid"
            sigmoid.opType = "Sigmoid"
            sigmoid.input = [value]
            sigmoid.output = ["\(output).sigmoid"]
            var mul = ProtoNode()
            mul.name = node.name.isEmpty ? "" : "\(node.name).swish"
            mul.opType = "Mul"
            mul.input = [value, sigmoid.output[0]]
            mul.output = [output]
            return nodes + [sigmoid, mul]
        }
        current = output
        var act = ProtoNode()
        act.name = node.name.isEmpty ? "" : "\(node.name).\(activation.lowercased())"
        act.opType = activation
        act.input = [step(activation.lowercased())]
        act.output = [current]
        switch activation {
        case "LeakyRelu", "Elu":
            if let alpha = float("activation_alpha") {
                var attribute = ProtoAttribute()
                attribute.name = "alpha"
                attribute.f = alpha
                act.attribute = [attribute]
            }
        case "Clip":
            for (suffix, name) in [("min", "activation_alpha"), ("max", "activation_beta")] {
                guard let bound = float(name), bound.isFinite else {
                    act.input.append("")
                    continue
                }
                var constant = ProtoNode()
                constant.opType = "Constant"
                constant.output = ["\(output).clip_\(suffix)"]
                var attribute = ProtoAttribute()
                attribute.name = "value_float"
                attribute.f = bound
                constant.attribute = [attribute]
                nodes.insert(constant, at: 0)
                act.input.append(constant.output[0])
            }
            while act.input.last == "" { act.input.removeLast() }
        default: break
        }
        nodes.append(act)
        return nodes
    }

    /// The domain a node is written in: the op's, except Gelu, whose domain `ONNXExportOpset`
    /// chose (ONNX's from opset 20, ours before).
    private static func domain(of node: ProtoNode) -> String {
        if node.opType == "Gelu" { return node.domain == OpDomain.ours ? OpDomain.ours : "" }
        return OpType(rawValue: node.opType)?.domain ?? node.domain
    }

    private static func convert(_ info: ProtoValueInfo) -> Onnx_ValueInfoProto {
        var onnx = Onnx_ValueInfoProto()
        onnx.name = info.name
        if !info.doc.isEmpty { onnx.docString = info.doc }
        var tensorType = Onnx_TypeProto.Tensor()
        tensorType.elemType = Int32(info.elemType.resolved.rawValue)
        if !info.unknownRank {
            var shape = Onnx_TensorShapeProto()
            shape.dim = info.dim.map { dim in
                var dimension = Onnx_TensorShapeProto.Dimension()
                switch dim.size {
                case .value(let value)?: dimension.dimValue = value
                case .param(let param)?: dimension.dimParam = param
                case nil: break
                }
                return dimension
            }
            tensorType.shape = shape
        }
        onnx.type.tensorType = tensorType
        return onnx
    }

    private static func convert(_ node: ProtoNode, context: PayloadContext) throws(FormatError) -> Onnx_NodeProto {
        var onnx = Onnx_NodeProto()
        onnx.name = node.name
        onnx.opType = node.opType
        onnx.domain = domain(of: node)
        onnx.input = node.input
        onnx.output = node.output
        if !node.doc.isEmpty { onnx.docString = node.doc }
        let schema = OpRegistry.schema(opType: node.opType, domain: node.domain)
        for attribute in node.attribute {
            // The verifier guarantees every attribute is declared by the schema.
            guard let kind = schema?.attribute(named: attribute.name)?.kind else { continue }
            var converted = Onnx_AttributeProto()
            converted.name = attribute.name
            converted.type = kind.onnxType
            switch kind {
            case .float: converted.f = attribute.f
            case .int: converted.i = attribute.i
            case .string: converted.s = attribute.s
            case .tensor: converted.t = try convert(attribute.t, context: context)
            case .floats: converted.floats = attribute.floats
            case .ints: converted.ints = attribute.ints
            case .strings: converted.strings = attribute.strings
            }
            onnx.attribute.append(converted)
        }
        return onnx
    }

    private static func convert(_ tensor: ProtoTensor, context: PayloadContext) throws(FormatError) -> Onnx_TensorProto {
        var onnx = Onnx_TensorProto()
        onnx.name = tensor.name
        if !tensor.doc.isEmpty { onnx.docString = tensor.doc }
        onnx.dims = tensor.dims
        let type = tensor.dataType.resolved
        onnx.dataType = Int32(type.rawValue)
        let plain = !tensor.hasExternal && tensor.rawData.isEmpty
        if plain && type == .float && !tensor.floatData.isEmpty {
            onnx.floatData = tensor.floatData
        } else if plain && type == .int64 && !tensor.int64Data.isEmpty {
            onnx.int64Data = tensor.int64Data
        } else if plain && type == .double && !tensor.doubleData.isEmpty {
            onnx.doubleData = tensor.doubleData
        } else {
            onnx.rawData = try tensor.elementBytes(context: context)
        }
        return onnx
    }
}
