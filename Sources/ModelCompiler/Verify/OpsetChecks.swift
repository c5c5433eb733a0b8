import ModelFormat

/// Checks of the model's ONNX opset and of every default-domain node against its op's
/// version at that opset (`OpVersions`): the version must exist and be supported, and the
/// node may only use the attributes and inputs that version has.
enum OpsetChecks {
    static func check(_ model: ProtoModel, into report: inout Report) {
        let opset = model.opsetVersion == 0 ? OpDomain.onnxOpset : model.opsetVersion
        let accepted = OpDomain.acceptedOnnxOpsets
        guard accepted.contains(opset) else {
            report.error(
                "model.unsupported-opset", .init(field: "opset_version"),
                "opset \(opset) is not supported; the default ONNX domain is accepted at opsets "
                    + "\(accepted.lowerBound)-\(accepted.upperBound) (the versions per op are listed in "
                    + "Sources/ModelCompiler/Ops/OpVersions.swift)",
                fix: "re-export the model at an opset from \(accepted.lowerBound) to \(accepted.upperBound), "
                    + "e.g. torch.onnx.export(..., opset_version=\(OpDomain.onnxOpset))")
            return
        }
        guard model.hasGraph else { return }
        for (index, node) in model.graph.node.enumerated() where OpDomain.isONNX(node.domain) {
            guard let op = OpType(rawValue: node.opType), let first = OpVersions.firstOpset(of: op) else { continue }
            let location = Diagnostic.Location(node: node.name.isEmpty ? "#\(index)" : node.name, op: node.opType)
            guard let version = OpVersions.version(of: op, atOpset: opset) else {
                report.error(
                    "node.unsupported-op-version", location,
                    "\(node.opType) is not part of the default ONNX domain at the model's opset \(opset); "
                        + "it exists from opset \(first)",
                    fix: op == .gelu
                        ? "set the node's domain to \"\(OpDomain.ours)\", or raise the model's opset to \(first)"
                        : "raise the model's opset to \(first) or later")
                continue
            }
            if let reason = version.unsupportedReason {
                report.error(
                    "node.unsupported-op-version", location,
                    "\(node.opType)-\(version.since) (the version at the model's opset \(opset)) is not supported: "
                        + reason,
                    fix: "re-export the model at an opset below \(version.since)")
                continue
            }
            let forbidden = OpVersions.forbiddenForms(of: op, atOpset: opset)
            for (form, reference) in forbidden.sorted(by: { $0.value.since < $1.value.since }) where uses(node, form) {
                var location = location
                switch form {
                case .attribute(let name): location.field = "attribute['\(name)']"
                case .input(let position, _): location.field = "input[\(position)]"
                }
                let message =
                    reference.since > opset
                    ? "\(node.opType)-\(version.since) (the version at the model's opset \(opset)) has no "
                        + "\(form.described); \(node.opType)-\(reference.since) adds it (\(reference.change))"
                    : "\(node.opType)-\(version.since) (the version at the model's opset \(opset)) no longer has "
                        + "\(form.described); \(node.opType)-\(reference.since) removed it (\(reference.change))"
                report.error(
                    "node.op-version-form", location, message,
                    fix: reference.since > opset
                        ? "raise the model's opset to \(reference.since), or use the form of \(node.opType)-\(version.since)"
                        : "use the form of \(node.opType)-\(version.since), or lower the model's opset below \(reference.since)")
            }
        }
    }

    private static func uses(_ node: ProtoNode, _ form: OpForm) -> Bool {
        switch form {
        case .attribute(let name): node.attribute.contains { $0.name == name }
        case .input(let position, _): position < node.input.count && !node.input[position].isEmpty
        }
    }
}
