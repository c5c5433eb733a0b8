import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

/// A head named "h" reading output "y", with `encoding` of `classes` classes and a loss whose
/// `from_logits` is `fromLogits`; `configure` sets any other field (decoder, class_label, …).
func decoderTestHead(
    _ encoding: ProtoLabelEncoding.Kind, classes: Int64 = 0, fromLogits: Bool = false,
    _ configure: (inout ProtoHead) -> Void = { _ in }
) -> ProtoHead {
    var head = ProtoHead()
    head.name = "h"
    head.output = "y"
    head.encoding.kind = encoding
    head.encoding.numClasses = classes
    if fromLogits {
        head.loss.kind = encoding == .oneHot || encoding == .softMultiLabel ? .softmaxCrossEntropy : .binaryCrossEntropy
        head.loss.fromLogits = true
    }
    configure(&head)
    return head
}

/// Rows of equal length as an `[N, W]` tensor; `width` gives W when there are no rows.
func decoderInput(_ rows: [[Float]], width: Int? = nil) -> Tensor {
    Tensor(shape: [rows.count, width ?? rows.first?.count ?? 0], scalars: rows.flatMap { $0 })
}

/// σ(x) = 1 / (1 + e^−x), the reference the decoders' sigmoid is checked against.
func referenceSigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

/// softmax(x)_c = e^x_c / Σ_j e^x_j, written plainly (the test inputs are small).
func referenceSoftmax(_ x: [Double]) -> [Double] {
    let total = x.reduce(0) { $0 + exp($1) }
    return x.map { exp($0) / total }
}

/// Expects `got` to match `want` element by element within `tolerance` (absolute).
func expectScores(
    _ got: [Float], _ want: [Double], tolerance: Double = 1e-6, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(got.count == want.count, "\(got) vs \(want)", sourceLocation: sourceLocation)
    for (g, w) in zip(got, want) {
        #expect(abs(Double(g) - w) <= tolerance, "\(got) vs \(want)", sourceLocation: sourceLocation)
    }
}

/// The `DecodeError` thrown by `body`, or nil (recorded as an issue) when it does not throw.
func decodeError(
    sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws(DecodeError) -> Void
) -> DecodeError? {
    do {
        try body()
    } catch {
        return error
    }
    Issue.record("expected a DecodeError", sourceLocation: sourceLocation)
    return nil
}
