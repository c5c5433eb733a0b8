import Foundation
import SwiftProtobuf

/// Maps an ONNX `ModelProto` onto our `ProtoModel`.
///
/// The graph maps field for field (ONNX and we share data type codes, op names and attribute
/// spelling); attributes take the field their ONNX `type` names. Heads and the training section
/// that `ONNXExport` stored as metadata (`modelformat.head.<i>`, `modelformat.training`, in text
/// format) are restored. Every feature without an equivalent (subgraph attributes, string
/// tensors, sequence types, ...) is collected and reported together in one error. Whether the
/// ops themselves are supported is the checker's business, which lists them all at once too.
public enum ONNXImport {
    /// Metadata key prefix under which heads travel through ONNX.
    public static let headMetadataPrefix = "modelformat.head."
    /// Metadata key under which the training section travels through ONNX.
    public static let trainingMetadataKey = "modelformat.training"
    /// The newest ONNX IR version read: 13, the one onnx pairs with opset 25 (the newest opset
    /// accepted; onnx.helper.VERSION_TABLE pairs opsets 23, 24 and 25 with IR 11, 12 and 13).
    /// Later IR versions may hold constructs this reader does not know, so they are refused.
    public static let newestIRVersion: Int64 = 13

    /// Converts `onnx`, or throws `FormatError.unsupportedONNX` listing every problem.
    public static func convert(_ onnx: Onnx_ModelProto) throws(FormatError) -> ProtoModel {
        var problems: [String] = []
        if onnx.irVersion > newestIRVersion {
            problems.append("IR version \(onnx.irVersion) is newer than the newest supported, \(newestIRVersion)")
        }
        var model = ProtoModel()
        model.irVersion = 1
        model.producerName = onnx.producerName
        model.producerVersion = onnx.producerVersion
        model.doc = onnx.docString
        for opset in onnx.opsetImport where opset.domain.isEmpty || opset.domain == "ai.onnx" {
            model.opsetVersion = opset.version
        }
        var heads: [(Int, ProtoHead)] = []
        for entry in onnx.metadataProps {
            if entry.key.hasPrefix(headMetadataPrefix), let index = Int(entry.key.dropFirst(headMetadataPrefix.count)) {
                do {
                    heads.append((index, try ProtoHead(textFormatString: entry.value)))
                } catch {
                    problems.append("metadata '\(entry.key)' is not a valid head in text format")
                }
            } else if entry.key == trainingMetadataKey {
                do {
                    model.training = try ProtoTrainingConfig(textFormatString: entry.value)
                } catch {
                    problems.append("metadata '\(entry.key)' is not a valid training section in text format")
                }
            } else {
                var pair = ProtoStringEntry()
                pair.key = entry.key
                pair.value = entry.value
                model.metadata.append(pair)
            }
        }
        model.head = heads.sorted { $0.0 < $1.0 }.map(\.1)
        if onnx.hasGraph {
            model.graph = convert(onnx.graph, problems: &problems)
        } else {
            problems.append("the model has no graph")
        }
        guard problems.isEmpty else { throw .unsupportedONNX(file: nil, problems: problems) }
        return model
    }

    private static func convert(_ onnx: Onnx_GraphProto, problems: inout [String]) -> ProtoGraph {
        var graph = ProtoGraph()
        graph.name = onnx.name
        let initializerNames = Set(onnx.initializer.map(\.name))
        // IR versions before 4 list initializers among the inputs too; they are not feeds.
        graph.input = onnx.input.filter { !initializerNames.contains($0.name) }.map { convert($0, problems: &problems) }
        graph.output = onnx.output.map { convert($0, problems: &problems) }
        graph.valueInfo = onnx.valueInfo.map { convert($0, problems: &problems) }
        graph.initializer = onnx.initializer.map { convert($0, context: "initializer '\($0.name)'", problems: &problems) }
        graph.node = onnx.node.map { convert($0, problems: &problems) }
        return graph
    }

    private static func convert(_ onnx: Onnx_ValueInfoProto, problems: inout [String]) -> ProtoValueInfo {
        var info = ProtoValueInfo()
        info.name = onnx.name
        info.doc = onnx.docString
        guard onnx.hasType, case .tensorType(let tensorType)? = onnx.type.value else {
            if onnx.hasType { problems.append("value '\(onnx.name)' is not a tensor (sequence, map or optional types)") }
            info.unknownRank = true
            return info
        }
        info.elemType = ProtoDataType(rawValue: Int(tensorType.elemType)) ?? .undefined
        if tensorType.hasShape {
            info.dim = tensorType.shape.dim.map { dimension in
                var dim = ProtoDim()
                switch dimension.value {
                case .dimValue(let value)?: dim.value = value
                case .dimParam(let param)?: dim.param = param
                case nil: break  // unknown extent
                }
                return dim
            }
        } else {
            info.unknownRank = true
        }
        return info
    }

    private static func convert(_ onnx: Onnx_NodeProto, problems: inout [String]) -> ProtoNode {
        var node = ProtoNode()
        node.name = onnx.name
        node.opType = onnx.opType
        node.domain = onnx.domain
        node.input = onnx.input
        node.output = onnx.output
        node.doc = onnx.docString
        let label = "node '\(onnx.name.isEmpty ? onnx.opType : onnx.name)' (\(onnx.opType))"
        node.attribute = onnx.attribute.compactMap { attribute in
            var converted = ProtoAttribute()
            converted.name = attribute.name
            if attribute.hasRefAttrName {
                problems.append("\(label) attribute '\(attribute.name)' refers to a function attribute")
                return nil
            }
            switch attribute.type {
            case .float: converted.f = attribute.f
            case .int: converted.i = attribute.i
            case .string: converted.s = attribute.s
            case .tensor:
                converted.t = convert(attribute.t, context: "\(label) attribute '\(attribute.name)'", problems: &problems)
            case .floats: converted.floats = attribute.floats
            case .ints: converted.ints = attribute.ints
            case .strings: converted.strings = attribute.strings
            case .undefined:
                // IR versions before 0.0.2 omit the type; infer it from the populated field.
                if attribute.hasF { converted.f = attribute.f }
                else if attribute.hasI { converted.i = attribute.i }
                else if attribute.hasS { converted.s = attribute.s }
                else if attribute.hasT { converted.t = convert(attribute.t, context: label, problems: &problems) }
                else if !attribute.floats.isEmpty { converted.floats = attribute.floats }
                else if !attribute.ints.isEmpty { converted.ints = attribute.ints }
                else if !attribute.strings.isEmpty { converted.strings = attribute.strings }
            default:
                problems.append("\(label) attribute '\(attribute.name)' has type \(attribute.type), which has no equivalent")
                return nil
            }
            return converted
        }
        return node
    }

    private static func convert(_ onnx: Onnx_TensorProto, context: String, problems: inout [String]) -> ProtoTensor {
        var tensor = ProtoTensor()
        tensor.name = onnx.name
        tensor.doc = onnx.docString
        tensor.dims = onnx.dims
        let type = ProtoDataType(rawValue: Int(onnx.dataType)) ?? .undefined
        tensor.dataType = type
        if type == .string || !onnx.stringData.isEmpty {
            problems.append("\(context) holds strings, which are not supported")
        }
        if onnx.dataLocation == .external {
            var external = ProtoExternalData()
            for entry in onnx.externalData {
                switch entry.key {
                case "location": external.location = entry.value
                case "offset": external.offset = Int64(entry.value) ?? -1
                case "length": external.length = Int64(entry.value) ?? -1
                default: break  // "checksum" and others carry no layout
                }
            }
            tensor.external = external
            return tensor
        }
        if onnx.hasRawData {
            tensor.rawData = onnx.rawData
        } else if !onnx.floatData.isEmpty {
            tensor.floatData = onnx.floatData
        } else if !onnx.int64Data.isEmpty {
            tensor.int64Data = onnx.int64Data
        } else if !onnx.doubleData.isEmpty {
            tensor.doubleData = onnx.doubleData
        } else if !onnx.int32Data.isEmpty {
            // int32_data carries INT32, narrower integers, BOOL and 16-bit float bit patterns.
            tensor.int64Data = onnx.int32Data.map { value in
                switch type {
                case .float16, .bfloat16, .uint16: Int64(UInt16(truncatingIfNeeded: value))
                default: Int64(value)
                }
            }
        } else if !onnx.uint64Data.isEmpty {
            var bytes = Data()
            let size = type.byteSize ?? 8
            for value in onnx.uint64Data {
                withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0.prefix(size)) }
            }
            tensor.rawData = bytes
        }
        return tensor
    }
}
