import ModelFormat

/// Why a head's natural labels cannot be turned into training targets: the head's encoding
/// fields do not describe a usable encoder, or a label does not fit the head.
///
/// Errors about labels name the head, the sample index in the data file, the position (for
/// per-pixel labels) or the column (for 0/1 matrices), the value and what was allowed, so a bad
/// row can be found in the file: `head 'digits' (ONE_HOT): sample 17: label 12 is outside 0..<10`.
/// `code` is stable (`encoding.label-out-of-range`, ...) for tests and tools.
public enum EncodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A field of the head (`encoding.*`, the output width) cannot be encoded with.
    case configuration(head: String, encoding: ProtoLabelEncoding.Kind, field: String, reason: String)
    /// The labels array's rank or shape does not fit the head; `expected` describes what does.
    case labelShape(head: String, encoding: ProtoLabelEncoding.Kind, shape: [Int], expected: String)
    /// A MULTI_HOT or SOFT_MULTI_LABEL matrix whose rows are not `expected` (C) wide.
    case rowWidth(head: String, encoding: ProtoLabelEncoding.Kind, expected: Int, shape: [Int])
    /// A class index outside 0..<`classes` that is not the `ignoreIndex` (nil when none applies).
    case labelOutOfRange(
        head: String, encoding: ProtoLabelEncoding.Kind, sample: Int, position: [Int]?, value: Double, classes: Int,
        ignoreIndex: Int64?)
    /// A class index given as a float with a fractional part (2.5).
    case nonIntegerLabel(head: String, encoding: ProtoLabelEncoding.Kind, sample: Int, position: [Int]?, value: Double)
    /// NaN or ±infinity; `value` is its spelling (`nan`, `inf`, `-inf`), so the error stays
    /// equal to itself (NaN is not).
    case nonFinite(
        head: String, encoding: ProtoLabelEncoding.Kind, sample: Int, position: [Int]?, column: Int?, value: String)
    /// An entry of a multi-label row other than exactly 0 or 1.
    case notBinary(
        head: String, encoding: ProtoLabelEncoding.Kind, sample: Int, position: [Int]?, column: Int, value: Double)
    /// A SOFT_MULTI_LABEL row with no label: row / k has no k to divide by.
    case emptyRow(head: String, encoding: ProtoLabelEncoding.Kind, sample: Int, position: [Int]?)
    /// The targets would have more than `limit` elements (`LabelEncoder.maximumTargetElements`).
    case tooLarge(head: String, encoding: ProtoLabelEncoding.Kind, shape: [Int], limit: Int)

    /// Stable machine-readable code.
    public var code: String {
        switch self {
        case .configuration: "encoding.configuration"
        case .labelShape: "encoding.label-shape"
        case .rowWidth: "encoding.row-width"
        case .labelOutOfRange: "encoding.label-out-of-range"
        case .nonIntegerLabel: "encoding.non-integer-label"
        case .nonFinite: "encoding.non-finite"
        case .notBinary: "encoding.not-binary"
        case .emptyRow: "encoding.empty-row"
        case .tooLarge: "encoding.too-large"
        }
    }

    /// One line: `head '<name>' (<ENCODING>): <where>: <what>`.
    public var description: String {
        switch self {
        case .configuration(let head, let encoding, let field, let reason):
            return "\(Self.prefix(head, encoding)): \(field): \(reason)"
        case .labelShape(let head, let encoding, let shape, let expected):
            return "\(Self.prefix(head, encoding)): labels of shape \(shape) do not fit the head: "
                + "expected \(expected)"
        case .rowWidth(let head, let encoding, let expected, let shape):
            return "\(Self.prefix(head, encoding)): labels of shape \(shape) have rows of "
                + "\(shape.count > 1 ? shape[1] : 1) entries, but the head has \(expected) classes "
                + "(expected [N, \(expected)], one 0/1 entry per class)"
        case .labelOutOfRange(let head, let encoding, let sample, let position, let value, let classes, let ignore):
            let allowed = "0..<\(classes)" + (ignore.map { " or the ignore_index \($0)" } ?? "")
            return "\(Self.prefix(head, encoding)): \(Self.place(sample, position, nil)): label "
                + "\(LabelElements.written(value)) is outside the allowed range \(allowed)"
        case .nonIntegerLabel(let head, let encoding, let sample, let position, let value):
            return "\(Self.prefix(head, encoding)): \(Self.place(sample, position, nil)): label "
                + "\(LabelElements.written(value)) is not a whole number; class indices are integers"
        case .nonFinite(let head, let encoding, let sample, let position, let column, let value):
            return "\(Self.prefix(head, encoding)): \(Self.place(sample, position, column)): value \(value) is "
                + "not a finite number"
        case .notBinary(let head, let encoding, let sample, let position, let column, let value):
            return "\(Self.prefix(head, encoding)): \(Self.place(sample, position, column)): value "
                + "\(LabelElements.written(value)) is not 0 or 1; multi-label rows mark each class present (1) or absent (0)"
        case .emptyRow(let head, let encoding, let sample, let position):
            return "\(Self.prefix(head, encoding)): \(Self.place(sample, position, nil)): the row has no label "
                + "(all 0); SOFT_MULTI_LABEL divides the row by its count of ones, so every row needs at least one"
        case .tooLarge(let head, let encoding, let shape, let limit):
            return "\(Self.prefix(head, encoding)): targets of shape \(shape) would exceed the limit "
                + "of \(limit) elements"
        }
    }

    /// `head 'h' (ONE_HOT)`.
    private static func prefix(_ head: String, _ encoding: ProtoLabelEncoding.Kind) -> String {
        "head '\(head)' (\(DecodeError.spelled(encoding)))"
    }

    /// `sample 3`, `sample 3, position [1, 2]`, `sample 3, column 4`.
    private static func place(_ sample: Int, _ position: [Int]?, _ column: Int?) -> String {
        var text = "sample \(sample)"
        if let position { text += ", position \(position)" }
        if let column { text += ", column \(column)" }
        return text
    }
}
