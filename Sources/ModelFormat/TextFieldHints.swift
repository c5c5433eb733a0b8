import SwiftProtobuf

/// What to say about a text-format field that fails to decode: for an enum value, the values
/// the field accepts (and the nearest one); for an unknown field name, the nearest valid name.
///
/// swift-protobuf exposes no schema to ask, so the answers are found by trial: the failing
/// field, with its value or name replaced by each candidate, is decoded alone inside the
/// messages that enclose it; the candidates that decode are the valid ones.
struct TextFieldHints {
    let text: [UInt8]
    /// The enclosing message fields, outermost first, then the failing field.
    let path: [TextField]
    let decodes: ([UInt8]) -> Bool

    func hint(for error: any Error) -> String? {
        switch error {
        case TextFormatDecodingError.unrecognizedEnumValue: enumHint()
        case TextFormatDecodingError.unknownField: fieldHint()
        default: nil
        }
    }

    private var field: TextField? { path.last }
    private var name: String {
        guard let field else { return "" }
        return String(decoding: text[field.nameStart..<field.nameEnd], as: UTF8.self)
    }

    /// `field` decoded alone inside the messages that enclose it.
    private func decodesAlone(_ field: String) -> Bool {
        var bytes: [UInt8] = []
        var closing: [UInt8] = []
        for parent in path.dropLast() {
            guard let body = parent.body else { return false }
            bytes += text[parent.start..<body.start]
            closing = Array(text[body.end..<parent.end]) + closing
        }
        return decodes(bytes + Array(field.utf8) + [10] + closing)
    }

    private func enumHint() -> String? {
        guard let field else { return nil }
        let valueText = String(decoding: text[field.nameEnd..<field.end], as: UTF8.self)
        let valid = EnumValueNames.all.filter { decodesAlone("\(name): \($0)") }
        guard !valid.isEmpty else { return nil }
        // The written value, or the first one of a list that is not valid.
        let tokens = valueText.split(whereSeparator: { " \t\r\n:,[]".contains($0) }).map(String.init)
        let written = tokens.first { !valid.contains($0) } ?? tokens.first ?? valueText
        var hint = "'\(written)' is not a value of this field's enum"
        if let nearest = NearestName.suggest(written, among: valid) { hint += " (did you mean \(nearest)?)" }
        return hint + "; valid values: " + valid.joined(separator: ", ")
    }

    private func fieldHint() -> String? {
        guard let field else { return nil }
        let rest = String(decoding: text[field.nameEnd..<field.end], as: UTF8.self)
        let ranked = FieldNames.all.filter { $0 != name }.sorted {
            NearestName.editDistance(Array(name.lowercased()), Array($0)) < NearestName.editDistance(
                Array(name.lowercased()), Array($1))
        }
        var hint = "unknown field name for this message"
        // Only likely typos are tried: NearestName's closeness rule, then a decode.
        for candidate in ranked where NearestName.suggest(name, among: [candidate]) != nil {
            if decodesAlone(candidate + rest) {
                hint += " (did you mean '\(candidate)'?)"
                return hint
            }
        }
        return hint + " (check the spelling)"
    }
}

/// Every field name of schemas/model.proto (a test keeps the list equal to the schema).
enum FieldNames {
    static let all: [String] = [
        "attribute", "batch_size", "beta1", "beta2", "bits", "class_label", "class_threshold", "class_weight", "code",
        "compression", "data_type", "decoder", "delta", "dim", "dims", "doc", "domain", "early_stopping", "elem_type",
        "encoding", "epochs", "epsilon", "external", "f", "floats", "from_logits", "frozen", "gamma",
        "gradient_clip_norm", "graph", "head", "high", "i", "ignore_index", "init", "initializer", "input", "ints",
        "ir_version", "key", "kind", "label_smoothing", "learning_rate", "length", "location", "loss", "low", "mass",
        "max_labels", "mean", "metadata", "metric", "momentum", "name", "node", "num_classes", "offset", "op_type",
        "opset_version", "optimizer", "output", "param", "patience", "pos_weight", "producer_name",
        "producer_version", "raw_data", "reduction", "rho", "s", "sample_weight", "schedule", "seed", "shuffle", "std",
        "step_size", "strings", "t", "target", "threshold", "top_k", "training", "unknown_rank",
        "validation_fraction", "value", "value_info", "warmup_steps", "weight", "weight_decay",
    ]
}

/// Every enum value name of schemas/model.proto, from the generated enums.
enum EnumValueNames {
    static let all: [String] = {
        func names<E: SwiftProtobuf.Enum & CaseIterable>(_: E.Type) -> [String] {
            E.allCases.map { value in
                // The generated case name in proto spelling: oneHot → ONE_HOT, f1Micro → F1_MICRO.
                String(describing: value).reduce(into: "") { name, character in
                    if character.isUppercase { name += "_" }
                    name += character.uppercased()
                }
            }
        }
        var all: [String] = []
        all += names(ProtoDataType.self)
        all += names(ProtoMetric.self)
        all += names(ProtoTensor.Compression.self)
        all += names(ProtoFiller.Kind.self)
        all += names(ProtoLabelEncoding.Kind.self)
        all += names(ProtoLabelEncoding.Code.self)
        all += names(ProtoLoss.Kind.self)
        all += names(ProtoLoss.Reduction.self)
        all += names(ProtoDecoder.Kind.self)
        all += names(ProtoOptimizer.Kind.self)
        all += names(ProtoSchedule.Kind.self)
        var seen = Set<String>()
        return all.filter { seen.insert($0).inserted }
    }()
}
