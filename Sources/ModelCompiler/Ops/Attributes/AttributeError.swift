/// An attribute value that no kernel would execute as written (a flag of 2, a zero stride, a
/// pad of 2^62), found while decoding a node's typed attributes.
///
/// The checker reports it as `node.attribute-value`, shape inference as
/// `shape.attribute-value`, kernel binding as `runtime.bind`: all three decode with the same
/// struct, so they cannot disagree.
public struct AttributeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The attribute, in ONNX spelling (`transB`, `pads`).
    public var attribute: String
    /// What is wrong, with the value: "transB is 2; it must be 0 or 1".
    public var message: String

    public init(_ attribute: String, _ message: String) {
        self.attribute = attribute
        self.message = message
    }

    public var description: String { message }
}

/// Bounds on attribute values that size windows and groups.
public enum AttributeLimits {
    /// Largest kernel extent, stride, dilation, pad, group or output padding: 2^31 − 1 (what
    /// ONNX Runtime's and oneDNN's 32-bit window arithmetic accepts). Sums and products of a few
    /// such values with a dim stay far inside `Int`.
    public static let maxWindowValue = Int(Int32.max)
}

extension Attributes {
    /// INT attribute `name` as a 0/1 flag (`transA`, `keepdims`, `ceil_mode`); any other value
    /// is an error rather than "non-zero means true".
    public func flag(_ name: String, default value: Bool) throws(AttributeError) -> Bool {
        guard has(name) else { return value }
        let given = int(name, default: 0)
        guard given == 0 || given == 1 else { throw AttributeError(name, "\(name) is \(given); it must be 0 or 1") }
        return given == 1
    }

    /// INTS attribute `name` with every entry in `minimum...AttributeLimits.maxWindowValue`;
    /// nil when absent.
    public func boundedInts(_ name: String, minimum: Int) throws(AttributeError) -> [Int]? {
        guard let values = ints(name) else { return nil }
        for value in values where value < minimum || value > AttributeLimits.maxWindowValue {
            let range = "\(minimum)...\(AttributeLimits.maxWindowValue)"
            throw AttributeError(name, "\(name) \(values) has \(value); each entry must lie in \(range)")
        }
        return values
    }

    /// INT attribute `name` in `minimum...AttributeLimits.maxWindowValue`.
    public func boundedInt(_ name: String, default value: Int, minimum: Int) throws(AttributeError) -> Int {
        let given = int(name, default: value)
        guard given >= minimum && given <= AttributeLimits.maxWindowValue else {
            throw AttributeError(
                name, "\(name) is \(given); it must lie in \(minimum)...\(AttributeLimits.maxWindowValue)")
        }
        return given
    }
}
