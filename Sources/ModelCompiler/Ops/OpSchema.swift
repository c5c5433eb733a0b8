import ModelFormat

/// The kind of value an attribute holds, as in ONNX `AttributeProto.AttributeType`.
public enum AttributeKind: String, Sendable, Codable {
    case float, int, string, tensor, floats, ints, strings

    /// The ONNX attribute type for export.
    var onnxType: Onnx_AttributeProto.AttributeType {
        switch self {
        case .float: .float
        case .int: .int
        case .string: .string
        case .tensor: .tensor
        case .floats: .floats
        case .ints: .ints
        case .strings: .strings
        }
    }
}

/// A declared attribute of an op: ONNX spelling, kind, and whether it must be given.
public struct AttributeSpec: Sendable {
    public let name: String
    public let kind: AttributeKind
    /// True when the op cannot run without it (ONNX "required").
    public let isRequired: Bool
    /// The ONNX default, spelled as text for documentation (`"1"`, `"NOTSET"`); nil when none.
    public let defaultText: String?

    static func float(_ name: String, _ defaultValue: Float) -> AttributeSpec {
        AttributeSpec(name: name, kind: .float, isRequired: false, defaultText: "\(defaultValue)")
    }
    static func int(_ name: String, _ defaultValue: Int) -> AttributeSpec {
        AttributeSpec(name: name, kind: .int, isRequired: false, defaultText: "\(defaultValue)")
    }
    static func string(_ name: String, _ defaultValue: String) -> AttributeSpec {
        AttributeSpec(name: name, kind: .string, isRequired: false, defaultText: defaultValue)
    }
    static func optional(_ name: String, _ kind: AttributeKind) -> AttributeSpec {
        AttributeSpec(name: name, kind: kind, isRequired: false, defaultText: nil)
    }
    static func required(_ name: String, _ kind: AttributeKind) -> AttributeSpec {
        AttributeSpec(name: name, kind: kind, isRequired: true, defaultText: nil)
    }
}

/// An input or output of an op.
public struct Port: Sendable {
    public let name: String
    /// May be omitted (absent, or "" in the node's list).
    public let isOptional: Bool
    /// Takes any number (at least one) of values; only the last port may be variadic.
    public let isVariadic: Bool

    init(_ name: String, optional: Bool = false, variadic: Bool = false) {
        self.name = name
        self.isOptional = optional
        self.isVariadic = variadic
    }
}

/// Everything the compiler knows about one op, declared once in `Ops/<Family>.swift`.
///
/// The structural checker uses the ports and attributes, shape inference the rule; gradient
/// rules join this declaration with the training issue.
public struct OpSchema: Sendable {
    public let type: OpType
    /// One line, with the ONNX section (and version) whose semantics it follows.
    public let summary: String
    public let inputs: [Port]
    public let outputs: [Port]
    public let attributes: [AttributeSpec]
    /// The shape-and-type rule: output types from input types, attributes and constants.
    public let inferTypes: @Sendable (InferenceContext) throws(ShapeError) -> [TensorType]

    /// The spec of attribute `name`, if declared.
    public func attribute(named name: String) -> AttributeSpec? {
        attributes.first { $0.name == name }
    }

    /// The fewest and most inputs a node may list (nil: unbounded).
    public var inputArity: (min: Int, max: Int?) { Self.arity(of: inputs) }
    /// The fewest and most outputs a node may list (nil: unbounded).
    public var outputArity: (min: Int, max: Int?) { Self.arity(of: outputs) }

    private static func arity(of ports: [Port]) -> (min: Int, max: Int?) {
        let required = (ports.lastIndex { !$0.isOptional }).map { $0 + 1 } ?? 0
        return (required, ports.last?.isVariadic == true ? nil : ports.count)
    }
}
