import ModelFormat

/// Checks that each initializer's payload agrees with its dims and data type, and that
/// filler rules are well formed. Payloads are decoded in full, so corrupt compressed data,
/// bad external references and size mismatches are all found here.
struct TensorChecks {
    let context: PayloadContext

    func check(_ graph: ProtoGraph, into report: inout Report) {
        for tensor in graph.initializer {
            check(tensor, field: "graph.initializer['\(tensor.name)']", into: &report)
        }
        for node in graph.node {
            for attribute in node.attribute where attribute.hasT {
                check(attribute.t, field: "attribute['\(attribute.name)'].t", node: node, into: &report)
            }
        }
    }

    private func check(_ tensor: ProtoTensor, field: String, node: ProtoNode? = nil, into report: inout Report) {
        let location = Diagnostic.Location(node: node.map { $0.name.isEmpty ? $0.opType : $0.name }, op: node?.opType, field: field)
        if case .UNRECOGNIZED(let code) = tensor.dataType { report.enumOutOfRange("\(field).data_type", code); return }
        if case .UNRECOGNIZED(let code) = tensor.compression { report.enumOutOfRange("\(field).compression", code); return }
        if tensor.hasStoredValues {
            do {
                _ = try tensor.elementBytes(context: context)
            } catch {
                report.error(error.code, location, error.description.replacingOccurrences(of: "\(context.fileName ?? "\u{0}"): ", with: ""))
            }
            if tensor.hasInit_p {
                report.warning(
                    "tensor.filler-ignored", location, "the tensor stores values and also has a filler; the values win",
                    fix: "remove `init` or the stored values")
            }
            return
        }
        do {
            let count = try tensor.elementCount(limits: context.limits)
            if tensor.hasInit_p {
                checkFiller(tensor.init_p, dataType: tensor.dataType.resolved, field: field, location: location, into: &report)
            } else if count > 0 {
                report.error(
                    "tensor.no-values", location, "no values are stored for \(count) element(s) and no filler is given",
                    fix: "store values (float_data / raw_data) or add `init { kind: ... }`")
            }
        } catch {
            report.error(error.code, location, error.description)
        }
    }

    private func checkFiller(
        _ filler: ProtoFiller, dataType: ProtoDataType, field: String, location: Diagnostic.Location, into report: inout Report
    ) {
        var location = location
        location.field = "\(field).init"
        if case .UNRECOGNIZED(let code) = filler.kind { report.enumOutOfRange("\(field).init.kind", code); return }
        guard dataType == .float else {
            report.error("filler.data-type", location, "fillers generate FLOAT values, but data_type is \(dataType.onnxName)")
            return
        }
        switch filler.kind {
        case .uniform where !(filler.low < filler.high):
            report.error("filler.invalid", location, "UNIFORM needs low < high, got low \(filler.low), high \(filler.high)")
        case .normal where !(filler.std >= 0) || !filler.mean.isFinite:
            report.error("filler.invalid", location, "NORMAL needs a finite mean and std >= 0, got mean \(filler.mean), std \(filler.std)")
        case .constant where !filler.value.isFinite:
            report.error("filler.invalid", location, "CONSTANT value \(filler.value) is not finite")
        default:
            break
        }
    }
}
