import Foundation
import ModelCompiler
import ModelFormat
import Testing

@testable import ModelRuntime

/// Label encoders: natural labels to training targets.
///
/// Covers every encoding kind and both target forms, label smoothing, per-pixel labels, and every
/// error. Expected targets are written out by hand from DESIGN §3.
@Suite struct EncodingTests {
    // MARK: - Helpers

    /// A head named "h" of `kind` with `classes` classes and loss `loss`.
    static func head(
        _ kind: ProtoLabelEncoding.Kind, classes: Int64 = 0, loss: ProtoLoss.Kind = .meanSquaredError,
        _ configure: (inout ProtoHead) -> Void = { _ in }
    ) -> ProtoHead {
        decoderTestHead(kind, classes: classes) {
            $0.loss.kind = loss
            configure(&$0)
        }
    }

    /// Encodes `labels` for `head` and returns the result, recording an issue on failure.
    static func encode(
        _ head: ProtoHead, width: Int, _ labels: Tensor, spatialShape: [Int]? = nil
    ) throws -> Tensor {
        try LabelEncoder(head: head, outputWidth: width, spatialShape: spatialShape).encode(labels)
    }

    /// The `EncodingError` thrown by `body`, or nil (recorded as an issue) when it does not throw.
    static func failure(
        sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(EncodingError) -> Void
    ) -> EncodingError? {
        do {
            try body()
        } catch {
            return error
        }
        Issue.record("expected an EncodingError", sourceLocation: sourceLocation)
        return nil
    }

    /// The error of encoding `labels` for `head` with output width `width`.
    static func encodingFailure(
        _ head: ProtoHead, width: Int, _ labels: Tensor, spatialShape: [Int]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> EncodingError? {
        failure(sourceLocation: sourceLocation) { () throws(EncodingError) in
            _ = try LabelEncoder(head: head, outputWidth: width, spatialShape: spatialShape).encode(labels)
        }
    }

    // MARK: - Kinds

    /// ONE_HOT with a dense loss (MSE): class c becomes a row with 1 at c.
    @Test func oneHotDense() throws {
        let encoder = try LabelEncoder(head: Self.head(.oneHot, classes: 4), outputWidth: 4)
        #expect(encoder.form == .dense)
        let targets = try encoder.encode(Tensor(shape: [3], scalars: [2, 0, 3]))
        #expect(targets.shape == [3, 4] && targets.elementType == .float32)
        #expect(targets.scalars == [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0, 1])
    }

    /// ONE_HOT with softmax cross-entropy takes class indices: INT64 `[N]`, from any element type.
    @Test func oneHotClassIndex() throws {
        let head = Self.head(.oneHot, classes: 4, loss: .softmaxCrossEntropy)
        let encoder = try LabelEncoder(head: head, outputWidth: 4)
        #expect(encoder.form == .classIndex)
        let fromFloats = try encoder.encode(Tensor(shape: [2, 1], scalars: [3, 1]))
        #expect(fromFloats == Tensor(shape: [2], int64s: [3, 1]))
        let bytes = try #require(Tensor(shape: [3], type: .uint8, bytes: .init([0, 2, 3])))
        #expect(try encoder.encode(bytes) == Tensor(shape: [3], int64s: [0, 2, 3]))
        let int32s = try #require(Tensor(shape: [2], type: .int32, bytes: .init([1, 0, 0, 0, 2, 0, 0, 0])))
        #expect(try encoder.encode(int32s) == Tensor(shape: [2], int64s: [1, 2]))
    }

    /// A label equal to ignore_index passes through the class-index form unchanged.
    @Test func ignoreIndexPassesThrough() throws {
        let head = Self.head(.oneHot, classes: 3, loss: .softmaxCrossEntropy) { $0.loss.ignoreIndex = -100 }
        let targets = try Self.encode(head, width: 3, Tensor(shape: [3], int64s: [1, -100, 2]))
        #expect(targets == Tensor(shape: [3], int64s: [1, -100, 2]))
        // Dense targets have no row for an ignored label, so there it is out of range.
        let dense = Self.head(.oneHot, classes: 3, loss: .meanSquaredError) { $0.loss.ignoreIndex = -100 }
        let error = Self.encodingFailure(dense, width: 3, Tensor(shape: [3], int64s: [1, -100, 2]))
        #expect(
            error
                == .labelOutOfRange(
                    head: "h", encoding: .oneHot, sample: 1, position: nil, value: -100, classes: 3, ignoreIndex: nil))
    }

    /// BINARY_CODE NATURAL: class 5 of 10 → 0101, class 9 → 1001, unit 0 most significant.
    @Test func binaryCodeNatural() throws {
        let targets = try Self.encode(
            Self.head(.binaryCode, classes: 10, loss: .binaryCrossEntropy), width: 4,
            Tensor(shape: [2], scalars: [5, 9]))
        #expect(targets.shape == [2, 4])
        #expect(targets.scalars == [0, 1, 0, 1, 1, 0, 0, 1])
    }

    /// BINARY_CODE GRAY: 5 xor (5 >> 1) = 5 xor 2 = 7 → 0111; 2 xor 1 = 3 → 0011.
    @Test func binaryCodeGray() throws {
        let head = Self.head(.binaryCode, classes: 10, loss: .binaryCrossEntropy) { $0.encoding.code = .gray }
        let targets = try Self.encode(head, width: 4, Tensor(shape: [2], scalars: [5, 2]))
        #expect(targets.scalars == [0, 1, 1, 1, 0, 0, 1, 1])
    }

    /// BINARY_CODE HADAMARD, 3 classes: rows 1 and 3 of H₄ = [[1,1,1,1], [1,−1,1,−1], [1,1,−1,−1],
    /// [1,−1,−1,1]] with +1 → 1, −1 → 0: class 0 → 1010, class 2 → 1001.
    @Test func binaryCodeHadamard() throws {
        let head = Self.head(.binaryCode, classes: 3, loss: .binaryCrossEntropy) { $0.encoding.code = .hadamard }
        let targets = try Self.encode(head, width: 4, Tensor(shape: [2], scalars: [0, 2]))
        #expect(targets.scalars == [1, 0, 1, 0, 1, 0, 0, 1])
    }

    /// ORDINAL with 4 levels: 3 units, unit j = 1 when level > j.
    @Test func ordinal() throws {
        let targets = try Self.encode(
            Self.head(.ordinal, classes: 4, loss: .binaryCrossEntropy), width: 3,
            Tensor(shape: [3], scalars: [0, 2, 3]))
        #expect(targets.shape == [3, 3])
        #expect(targets.scalars == [0, 0, 0, 1, 1, 0, 1, 1, 1])
    }

    /// MULTI_HOT keeps the 0/1 row; SOFT_MULTI_LABEL divides it by its count of ones.
    @Test func multiHotAndSoftMultiLabel() throws {
        let rows = Tensor(shape: [2, 4], scalars: [1, 0, 1, 0, 0, 1, 0, 0])
        let multi = try Self.encode(Self.head(.multiHot, classes: 4, loss: .binaryCrossEntropy), width: 4, rows)
        #expect(multi.shape == [2, 4] && multi.scalars == [1, 0, 1, 0, 0, 1, 0, 0])
        // Two ones → 1/2 each; one one → 1/1.
        let soft = try Self.encode(Self.head(.softMultiLabel, classes: 4, loss: .softmaxCrossEntropy), width: 4, rows)
        #expect(soft.scalars == [0.5, 0, 0.5, 0, 0, 1, 0, 0])
        // Integer matrices are read the same way; [N] is a one-column matrix when C = 1.
        let int64s = try Self.encode(
            Self.head(.multiHot, classes: 2), width: 2, Tensor(shape: [1, 2], int64s: [0, 1]))
        #expect(int64s.scalars == [0, 1])
        let column = try Self.encode(
            Self.head(.multiHot, classes: 1), width: 1, Tensor(shape: [3], scalars: [1, 0, 1]))
        #expect(column.shape == [3, 1] && column.scalars == [1, 0, 1])
    }

    /// REAL values pass through; `[N]` becomes `[N, 1]`; integers become floats.
    @Test func real() throws {
        let vector = try Self.encode(Self.head(.real), width: 1, Tensor(shape: [3], scalars: [0.5, -2, 7]))
        #expect(vector.shape == [3, 1] && vector.scalars == [0.5, -2, 7])
        let matrix = try Self.encode(
            Self.head(.real, classes: 2), width: 2, Tensor(shape: [2, 2], int64s: [1, 2, 3, 4]))
        #expect(matrix.shape == [2, 2] && matrix.elementType == .float32 && matrix.scalars == [1, 2, 3, 4])
    }

    /// num_classes 0 is derived from the output width where that is unambiguous.
    @Test func classCountFromOutputWidth() throws {
        #expect(try LabelEncoder(head: Self.head(.oneHot), outputWidth: 5).classes == 5)
        #expect(try LabelEncoder(head: Self.head(.softMultiLabel), outputWidth: 3).classes == 3)
        // ORDINAL: W = C − 1 units, so C = W + 1.
        #expect(try LabelEncoder(head: Self.head(.ordinal), outputWidth: 3).classes == 4)
    }

    // MARK: - Label smoothing

    /// ONE_HOT, ε = 0.1, C = 4: ε/C = 0.025 off, (1 − 0.1)·1 + 0.025 = 0.925 on.
    @Test func smoothingOneHot() throws {
        let head = Self.head(.oneHot, classes: 4) { $0.encoding.labelSmoothing = 0.1 }
        let targets = try Self.encode(head, width: 4, Tensor(shape: [1], scalars: [1]))
        expectScores(targets.scalars, [0.1 / 4, 0.9 + 0.1 / 4, 0.1 / 4, 0.1 / 4])
        // The class-index form is left to the loss: the indices are unchanged.
        let index = Self.head(.oneHot, classes: 4, loss: .softmaxCrossEntropy) { $0.encoding.labelSmoothing = 0.1 }
        #expect(try Self.encode(index, width: 4, Tensor(shape: [1], scalars: [1])) == Tensor(shape: [1], int64s: [1]))
    }

    /// SOFT_MULTI_LABEL, ε = 0.2, C = 4, row 1100: (1 − 0.2)·(1/2) + 0.2/4 = 0.45 on, 0.05 off.
    @Test func smoothingSoftMultiLabel() throws {
        let head = Self.head(.softMultiLabel, classes: 4, loss: .softmaxCrossEntropy) {
            $0.encoding.labelSmoothing = 0.2
        }
        let targets = try Self.encode(head, width: 4, Tensor(shape: [1, 4], scalars: [1, 1, 0, 0]))
        expectScores(targets.scalars, [0.8 * 0.5 + 0.05, 0.8 * 0.5 + 0.05, 0.05, 0.05])
    }

    /// Independent binary units smooth toward ε/2: MULTI_HOT, BINARY_CODE, ORDINAL.
    @Test func smoothingBinaryUnits() throws {
        // MULTI_HOT ε = 0.1: 1 → 0.9 + 0.05, 0 → 0.05.
        let multi = Self.head(.multiHot, classes: 3, loss: .binaryCrossEntropy) { $0.encoding.labelSmoothing = 0.1 }
        let multiTargets = try Self.encode(multi, width: 3, Tensor(shape: [1, 3], scalars: [1, 0, 1]))
        expectScores(multiTargets.scalars, [0.95, 0.05, 0.95])
        // BINARY_CODE ε = 0.2, class 5 of 10 = 0101: 0 → 0.1, 1 → 0.8 + 0.1.
        let code = Self.head(.binaryCode, classes: 10, loss: .binaryCrossEntropy) { $0.encoding.labelSmoothing = 0.2 }
        let codeTargets = try Self.encode(code, width: 4, Tensor(shape: [1], scalars: [5]))
        expectScores(codeTargets.scalars, [0.1, 0.9, 0.1, 0.9])
        // ORDINAL ε = 0.1, level 1 of 3 = 10: 1 → 0.95, 0 → 0.05.
        let ordinal = Self.head(.ordinal, classes: 3, loss: .binaryCrossEntropy) { $0.encoding.labelSmoothing = 0.1 }
        let ordinalTargets = try Self.encode(ordinal, width: 2, Tensor(shape: [1], scalars: [1]))
        expectScores(ordinalTargets.scalars, [0.95, 0.05])
    }

    // MARK: - Per-pixel labels

    /// ONE_HOT dense per pixel: labels `[2, 1, 2]` become `[2, 3, 1, 2]`, the class axis at 1.
    @Test func pixelWiseOneHotDense() throws {
        // Sample 0 pixels: classes 0, 2. Sample 1 pixels: classes 1, 1.
        let labels = Tensor(shape: [2, 1, 2], scalars: [0, 2, 1, 1])
        let targets = try Self.encode(Self.head(.oneHot, classes: 3), width: 3, labels)
        #expect(targets.shape == [2, 3, 1, 2])
        #expect(
            targets.scalars == [
                1, 0, /* class 0 */ 0, 0, /* class 1 */ 0, 1, /* class 2 */
                0, 0, /* class 0 */ 1, 1, /* class 1 */ 0, 0, /* class 2 */
            ])
    }

    /// ONE_HOT class-index form per pixel: INT64 of the labels' shape; ignore_index 255 passes.
    @Test func pixelWiseClassIndex() throws {
        let head = Self.head(.oneHot, classes: 3, loss: .softmaxCrossEntropy) { $0.loss.ignoreIndex = 255 }
        let labels = try #require(Tensor(shape: [1, 2, 2], type: .uint8, bytes: .init([0, 255, 2, 1])))
        let targets = try Self.encode(head, width: 3, labels)
        #expect(targets == Tensor(shape: [1, 2, 2], int64s: [0, 255, 2, 1]))
    }

    /// With the output's spatial shape known, `[N, L]` is read per position and `[N, 1, H, W]`
    /// loses its unit axis.
    @Test func knownSpatialShape() throws {
        let line = try Self.encode(
            Self.head(.oneHot, classes: 2), width: 2, Tensor(shape: [1, 3], scalars: [1, 0, 1]), spatialShape: [3])
        #expect(line.shape == [1, 2, 3] && line.scalars == [0, 1, 0, 1, 0, 1])
        let index = Self.head(.oneHot, classes: 2, loss: .softmaxCrossEntropy)
        let image = try Self.encode(
            index, width: 2, Tensor(shape: [1, 1, 1, 2], scalars: [1, 0]), spatialShape: [1, 2])
        #expect(image == Tensor(shape: [1, 1, 2], int64s: [1, 0]))
    }

    // MARK: - Errors in labels

    /// A label outside 0..<C names the sample, the value and the range.
    @Test func labelOutOfRange() throws {
        let error = Self.encodingFailure(
            Self.head(.oneHot, classes: 3), width: 3, Tensor(shape: [3], scalars: [0, 1, 3]))
        #expect(
            error
                == .labelOutOfRange(
                    head: "h", encoding: .oneHot, sample: 2, position: nil, value: 3, classes: 3, ignoreIndex: nil))
        #expect(error?.code == "encoding.label-out-of-range")
        #expect(error?.description == "head 'h' (ONE_HOT): sample 2: label 3 is outside the allowed range 0..<3")
        let negative = Self.encodingFailure(
            Self.head(.ordinal, classes: 3), width: 2, Tensor(shape: [2], int64s: [-1, 0]))
        #expect(negative?.description.contains("sample 0: label -1") == true)
        let index = Self.head(.oneHot, classes: 3, loss: .softmaxCrossEntropy) { $0.loss.ignoreIndex = -100 }
        let withIgnore = Self.encodingFailure(index, width: 3, Tensor(shape: [2], int64s: [0, 7]))
        #expect(
            withIgnore?.description.contains(
                "sample 1: label 7 is outside the allowed range 0..<3 or the "
                    + "ignore_index -100") == true)
        // A float far beyond Int64 is out of range, not a trap.
        let huge = Self.encodingFailure(Self.head(.oneHot, classes: 3), width: 3, Tensor(shape: [1], scalars: [1e30]))
        #expect(huge?.code == "encoding.label-out-of-range")
    }

    /// A fractional class index is refused, not truncated.
    @Test func nonIntegerLabel() throws {
        let error = Self.encodingFailure(
            Self.head(.binaryCode, classes: 10), width: 4, Tensor(shape: [2], scalars: [1, 2.5]))
        #expect(error == .nonIntegerLabel(head: "h", encoding: .binaryCode, sample: 1, position: nil, value: 2.5))
        #expect(error?.description.contains("sample 1: label 2.5 is not a whole number") == true)
    }

    /// NaN and infinities name the sample (and the column of a value row); the error equals itself.
    @Test func nonFinite() throws {
        let error = Self.encodingFailure(
            Self.head(.oneHot, classes: 3), width: 3, Tensor(shape: [2], scalars: [.nan, 1]))
        #expect(error == .nonFinite(head: "h", encoding: .oneHot, sample: 0, position: nil, column: nil, value: "nan"))
        #expect(error?.description.contains("sample 0: value nan is not a finite number") == true)
        let real = Self.encodingFailure(
            Self.head(.real), width: 2, Tensor(shape: [2, 2], scalars: [0, 1, 2, -.infinity]))
        #expect(real == .nonFinite(head: "h", encoding: .real, sample: 1, position: nil, column: 1, value: "-inf"))
        #expect(real?.description.contains("sample 1, column 1: value -inf") == true)
        let multi = Self.encodingFailure(
            Self.head(.multiHot, classes: 2), width: 2, Tensor(shape: [1, 2], scalars: [1, .nan]))
        #expect(multi?.description.contains("sample 0, column 1: value nan") == true)
    }

    /// A bad label among per-pixel labels names the sample and the position.
    @Test func pixelWisePosition() throws {
        let labels = Tensor(shape: [2, 2, 2], scalars: [0, 1, 1, 0, 0, 5, 1, 1])
        let error = Self.encodingFailure(Self.head(.oneHot, classes: 3), width: 3, labels)
        #expect(
            error
                == .labelOutOfRange(
                    head: "h", encoding: .oneHot, sample: 1, position: [0, 1], value: 5, classes: 3, ignoreIndex: nil))
        #expect(error?.description.contains("sample 1, position [0, 1]: label 5") == true)
    }

    /// MULTI_HOT and SOFT_MULTI_LABEL rows must be C wide.
    @Test func rowWidth() throws {
        let error = Self.encodingFailure(Self.head(.multiHot, classes: 3), width: 3, Tensor(zeros: [2, 4]))
        #expect(error == .rowWidth(head: "h", encoding: .multiHot, expected: 3, shape: [2, 4]))
        #expect(
            error?.description.contains("labels of shape [2, 4] have rows of 4 entries, but the head has 3") == true)
    }

    /// Multi-label entries must be exactly 0 or 1; the message names sample and column.
    @Test func notBinary() throws {
        let labels = Tensor(shape: [2, 3], scalars: [0, 1, 0, 0, 2, 1])
        let error = Self.encodingFailure(Self.head(.multiHot, classes: 3), width: 3, labels)
        #expect(error == .notBinary(head: "h", encoding: .multiHot, sample: 1, position: nil, column: 1, value: 2))
        #expect(error?.description.contains("sample 1, column 1: value 2 is not 0 or 1") == true)
        let fraction = Self.encodingFailure(
            Self.head(.softMultiLabel, classes: 2), width: 2, Tensor(shape: [1, 2], scalars: [0.5, 0.5]))
        #expect(fraction?.description.contains("sample 0, column 0: value 0.5 is not 0 or 1") == true)
    }

    /// An all-zero SOFT_MULTI_LABEL row has no k to divide by.
    @Test func emptySoftRow() throws {
        let error = Self.encodingFailure(
            Self.head(.softMultiLabel, classes: 2), width: 2, Tensor(shape: [2, 2], scalars: [1, 0, 0, 0]))
        #expect(error == .emptyRow(head: "h", encoding: .softMultiLabel, sample: 1, position: nil))
        #expect(error?.description.contains("sample 1: the row has no label") == true)
        // MULTI_HOT accepts an empty row: it is a sample with no label.
        let multi = try Self.encode(
            Self.head(.multiHot, classes: 2), width: 2, Tensor(shape: [1, 2], scalars: [0, 0]))
        #expect(multi.scalars == [0, 0])
    }

    /// Label arrays whose rank or shape does not fit the head.
    @Test func labelShape() throws {
        // Rows of three values given to a class-index encoding.
        let rows = Self.encodingFailure(Self.head(.oneHot, classes: 3), width: 3, Tensor(zeros: [4, 3]))
        guard case .labelShape(_, .oneHot, [4, 3], _) = rows else {
            Issue.record("expected labelShape, got \(String(describing: rows))")
            return
        }
        #expect(rows?.description.hasPrefix("head 'h' (ONE_HOT): labels of shape [4, 3] do not fit the head") == true)
        // A scalar has no sample axis.
        let scalar = Self.encodingFailure(Self.head(.oneHot, classes: 3), width: 3, Tensor(zeros: []))
        #expect(scalar?.code == "encoding.label-shape")
        // REAL values of the wrong width; per-pixel labels that do not match a known spatial shape.
        let real = Self.encodingFailure(Self.head(.real), width: 2, Tensor(zeros: [4, 3]))
        #expect(real?.code == "encoding.label-shape")
        let pixels = Self.encodingFailure(
            Self.head(.oneHot, classes: 3), width: 3, Tensor(zeros: [1, 2, 3]), spatialShape: [3, 2])
        #expect(pixels?.code == "encoding.label-shape")
        let multi = Self.encodingFailure(Self.head(.multiHot, classes: 3), width: 3, Tensor(zeros: [4]))
        #expect(multi?.code == "encoding.label-shape")
    }

    /// Targets past `maximumTargetElements` are refused before anything is allocated.
    @Test func tooLarge() throws {
        let width = LabelEncoder.maximumTargetElements
        let error = Self.encodingFailure(Self.head(.oneHot), width: width, Tensor(shape: [2], scalars: [0, 1]))
        #expect(
            error
                == .tooLarge(
                    head: "h", encoding: .oneHot, shape: [2, width], limit: LabelEncoder.maximumTargetElements))
    }

    // MARK: - Errors in the head

    /// Head fields that cannot be encoded with are configuration errors naming the field.
    @Test func configuration() throws {
        func field(_ head: ProtoHead, width: Int) -> String? {
            let error = Self.failure { () throws(EncodingError) in _ = try LabelEncoder(head: head, outputWidth: width)
            }
            guard case .configuration(_, _, let field, _) = error else { return nil }
            return field
        }
        #expect(field(Self.head(.unspecified), width: 3) == "encoding.kind")
        #expect(field(Self.head(.oneHot, classes: 3), width: 0) == "output width")
        #expect(field(Self.head(.ordinal), width: .max) == "output width")
        #expect(field(Self.head(.oneHot) { $0.encoding.labelSmoothing = 1 }, width: 3) == "encoding.label_smoothing")
        #expect(field(Self.head(.oneHot) { $0.encoding.labelSmoothing = -0.1 }, width: 3) == "encoding.label_smoothing")
        #expect(field(Self.head(.real) { $0.encoding.labelSmoothing = 0.1 }, width: 1) == "encoding.label_smoothing")
        #expect(field(Self.head(.oneHot, classes: 4), width: 3) == "encoding.num_classes")
        #expect(field(Self.head(.ordinal, classes: 4), width: 4) == "encoding.num_classes")
        // BINARY_CODE: a width of 4 bits fits 9…16 classes, so the count must be given.
        #expect(field(Self.head(.binaryCode), width: 4) == "encoding.num_classes")
        #expect(field(Self.head(.binaryCode, classes: 10), width: 5) == "encoding.bits")
        #expect(field(Self.head(.binaryCode, classes: 10) { $0.encoding.bits = 2 }, width: 2) == "encoding")
        let unset = Self.failure { () throws(EncodingError) in
            _ = try LabelEncoder(head: Self.head(.binaryCode), outputWidth: 4)
        }
        #expect(unset?.description.hasPrefix("head 'h' (BINARY_CODE): encoding.num_classes: is unset") == true)
    }
}
