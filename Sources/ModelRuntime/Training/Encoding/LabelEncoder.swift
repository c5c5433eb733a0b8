import ModelCompiler
import ModelFormat

/// Turns a head's natural labels into the training targets its loss reads (DESIGN §3: "the
/// encoding maps natural labels to the network target").
///
/// Natural labels, by encoding kind:
/// - ONE_HOT, BINARY_CODE, ORDINAL: a class index (level) per sample, `[N]` or `[N, 1]`, or per
///   position, `[N, d1..dk]`; any element type, but float values must be whole numbers.
/// - MULTI_HOT, SOFT_MULTI_LABEL: a 0/1 matrix `[N, C]` (or `[N, C, d1..dk]` per position);
///   every entry exactly 0 or 1.
/// - REAL: values `[N]` or `[N, W]` (or `[N, W, d1..dk]`); integer types are converted.
///
/// Targets take the head's `TargetForm`, the form the compiler declared for the loss input:
/// - `.classIndex` (ONE_HOT with a class-index loss): INT64 `[N, d1..dk]`, the class ids as
///   they are. A label equal to `loss.ignore_index` passes through unchanged for the loss to
///   drop. Label smoothing is left to the loss (PyTorch CrossEntropyLoss does it there).
/// - `.dense`: FLOAT `[N, W, d1..dk]`, the class axis at 1 as in the head output (for per-pixel
///   labels that unit axis is inserted after N). Rows: ONE_HOT a one-hot row; MULTI_HOT the 0/1
///   row; SOFT_MULTI_LABEL row / k (k the count of ones); BINARY_CODE the class's codeword
///   (`BinaryCodes`, unit 0 most significant); ORDINAL C − 1 units, unit j = 1 when level > j;
///   REAL the values (`[N]` becomes `[N, 1]`). There is no dense row for an ignored label, so
///   `ignore_index` is honoured only in the class-index form.
///
/// Label smoothing ε (`encoding.label_smoothing`) on dense targets: a distribution over C
/// classes (ONE_HOT, SOFT_MULTI_LABEL) becomes (1 − ε)·t + ε/C, as PyTorch smooths; independent
/// binary units (MULTI_HOT, BINARY_CODE, ORDINAL) become (1 − ε)·t + ε/2, smoothing each toward
/// its own two outcomes. REAL values are never smoothed.
///
/// The encoder validates every label and never traps: a bad label is an `EncodingError` naming
/// the head, the sample index, the position or column, the value and the allowed range.
public struct LabelEncoder: Sendable {
    /// The most elements a target tensor may have: 2^30, 4 GiB of float32, the same bound as
    /// `DataLimits.maxArrayBytes` puts on any array read from a file.
    public static let maximumTargetElements = 1 << 30

    /// The head's name, for messages.
    public let headName: String
    /// The encoding kind (`encoding.kind`).
    public let kind: ProtoLabelEncoding.Kind
    /// The form targets take: `TargetForm.of(head)`.
    public let form: TargetForm
    /// W, the width of the head output (axis 1): C, the code length, C − 1, or the value width.
    public let outputWidth: Int
    /// C, the number of classes (levels for ORDINAL); the value width for REAL.
    public let classes: Int
    /// ε, applied to dense class targets only.
    public let labelSmoothing: Float
    /// The label that passes through unencoded: `loss.ignore_index` in the class-index form,
    /// nil otherwise.
    public let ignoreIndex: Int64?
    /// The head output's position dimensions d1..dk when the caller knows them (`[]` for one
    /// label per sample); nil reads them from the labels' shape.
    public let spatialShape: [Int]?
    /// BINARY_CODE codewords, row c for class c (`BinaryCodes.table`); empty for other kinds.
    let codewords: [[UInt8]]

    /// The encoder of `head`, whose output has `outputWidth` units on axis 1.
    ///
    /// - Parameters:
    ///   - outputWidth: W, the size of the head output's axis 1: the code length for
    ///     BINARY_CODE, C − 1 for ORDINAL, the value width for REAL, C otherwise.
    ///   - spatialShape: the output's dimensions after axis 1 (d1..dk), when known. Given, the
    ///     labels must match them exactly; nil takes them from the labels, which then cannot
    ///     tell one-dimensional per-position class indices `[N, L]` from rows `[N, k]`, so
    ///     rank-2 class indices must be `[N, 1]`.
    /// - Throws: `EncodingError.configuration` when the encoding kind is unset or unknown,
    ///   `label_smoothing` is outside [0, 1) (or set on REAL), `num_classes` disagrees with the
    ///   output width or cannot be derived from it (BINARY_CODE), or the code cannot be built.
    public init(head: ProtoHead, outputWidth: Int, spatialShape: [Int]? = nil) throws(EncodingError) {
        let name = HeadDecoders.displayName(head)
        let kind = head.encoding.kind
        func failure(_ field: String, _ reason: String) -> EncodingError {
            .configuration(head: name, encoding: kind, field: field, reason: reason)
        }
        guard [.oneHot, .multiHot, .softMultiLabel, .binaryCode, .ordinal, .real].contains(kind) else {
            throw failure("encoding.kind", "is not an encoding kind this runtime knows (ONE_HOT … REAL)")
        }
        // Int.max is refused too, so that ORDINAL's C = W + 1 cannot overflow.
        guard outputWidth >= 1, outputWidth < Int.max else {
            throw failure("output width", "is \(outputWidth), but a head output needs at least one unit on axis 1")
        }
        if let spatialShape, spatialShape.contains(where: { $0 < 0 }) {
            throw failure("output shape", "spatial dimensions \(spatialShape) include a negative size")
        }
        let smoothing = head.encoding.labelSmoothing
        guard smoothing.isFinite, smoothing >= 0, smoothing < 1 else {
            throw failure("encoding.label_smoothing", "is \(smoothing), but must be in [0, 1)")
        }
        guard kind != .real || smoothing == 0 else {
            throw failure("encoding.label_smoothing", "is \(smoothing), but REAL targets are values, not classes")
        }
        let declared = head.encoding.numClasses
        guard declared >= 0 else { throw failure("encoding.num_classes", "is \(declared), but cannot be negative") }
        let declaredClasses = declared == 0 ? nil : Int(clamping: declared)

        var codewords: [[UInt8]] = []
        let classes: Int
        switch kind {
        case .ordinal:
            // C − 1 units, one per threshold between consecutive levels.
            classes = declaredClasses ?? outputWidth + 1
            guard classes == outputWidth + 1 else {
                throw failure(
                    "encoding.num_classes",
                    "is \(classes), but the output has \(outputWidth) units; ORDINAL with \(classes) levels needs "
                        + "\(classes - 1) (C − 1)")
            }
        case .binaryCode:
            guard let declaredClasses else {
                throw failure(
                    "encoding.num_classes",
                    "is unset; a code of \(outputWidth) bits can serve many class counts, so BINARY_CODE needs it")
            }
            classes = declaredClasses
            do {
                let bits = head.encoding.bits == 0 ? nil : Int(clamping: head.encoding.bits)
                codewords = try BinaryCodes.table(classes: classes, code: head.encoding.code, bits: bits)
            } catch {
                throw failure("encoding", error.description)
            }
            let length = codewords.first?.count ?? 0
            guard length == outputWidth else {
                throw failure(
                    "encoding.bits",
                    "the code has \(length) bits, but the output has \(outputWidth) units; they must be equal")
            }
        default:
            // ONE_HOT, MULTI_HOT, SOFT_MULTI_LABEL: one unit per class; REAL: one per value.
            classes = declaredClasses ?? outputWidth
            guard classes == outputWidth else {
                let unit = kind == .real ? "value" : "class"
                throw failure(
                    "encoding.num_classes",
                    "is \(classes), but the output has \(outputWidth) units; \(DecodeError.spelled(kind)) needs one "
                        + "per \(unit)")
            }
        }

        let form = TargetForm.of(head)
        var ignoreIndex: Int64?
        if form == .classIndex, case .ignoreIndex(let value) = head.loss.ignore { ignoreIndex = value }

        self.headName = name
        self.kind = kind
        self.form = form
        self.outputWidth = outputWidth
        self.classes = classes
        self.labelSmoothing = smoothing
        self.ignoreIndex = ignoreIndex
        self.spatialShape = spatialShape
        self.codewords = codewords
    }

    /// Encodes the natural labels of a whole data set, all samples at once, so that an error
    /// names the sample's index in the file.
    ///
    /// - Returns: INT64 `[N, d1..dk]` for the class-index form, FLOAT `[N, W, d1..dk]` for dense.
    /// - Throws: `EncodingError` for labels of the wrong shape, a label out of range, a
    ///   fractional class index, NaN or infinity, a multi-label entry other than 0/1, an empty
    ///   SOFT_MULTI_LABEL row, or targets larger than `maximumTargetElements`.
    public func encode(_ labels: Tensor) throws(EncodingError) -> Tensor {
        switch kind {
        case .multiHot, .softMultiLabel: try encodeRows(labels)
        case .real: try encodeValues(labels)
        default: try encodeClassIndices(labels)
        }
    }

    /// The element count of a target of `shape`, checked against `maximumTargetElements`.
    func checkedCount(_ shape: [Int]) throws(EncodingError) -> Int {
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= Self.maximumTargetElements else {
                throw .tooLarge(head: headName, encoding: kind, shape: shape, limit: Self.maximumTargetElements)
            }
            count = product
        }
        return count
    }

    /// A `labelShape` error for `shape`.
    func shapeError(_ shape: [Int], expected: String) -> EncodingError {
        .labelShape(head: headName, encoding: kind, shape: shape, expected: expected)
    }

    /// `[N] + dims` spelled for messages: `[N, 28, 28]`.
    static func spelledShape(_ leading: [String], _ dims: [Int]) -> String {
        "[" + (leading + dims.map(String.init)).joined(separator: ", ") + "]"
    }
}
