import Foundation
import ModelFormat

/// NEAREST_CODE: the class whose BINARY_CODE codeword is nearest to the output bits.
///
/// Output `[N, L]`, L the code length (`BinaryCodes.length`), or `[N]` for a one-bit code.
/// Bit probabilities p_j are the sigmoid of the output when the loss is from logits, else the
/// output itself (see `HeadDecoder`). Two modes:
/// - `.likelihood` (the default): the class c maximising the log-likelihood of its codeword b_c,
///   ℓ_c = Σ_j [b_cj·log p_j + (1 − b_cj)·log(1 − p_j)] with p clipped to [1e-7, 1 − 1e-7].
///   The score is the class's posterior under a uniform prior, softmax over all ℓ:
///   exp(ℓ_c) / Σ_k exp(ℓ_k), in (0, 1].
/// - `.hamming`: bits are p_j ≥ `threshold` (default 0.5); the class whose codeword differs in
///   the fewest bits wins. The score is that Hamming distance (a count of bits, 0 for an exact
///   codeword), not a probability.
/// Ties go to the lower class index; log-likelihoods within `tieTolerance` nats count as tied,
/// since equal sums added in a different order can differ in the last bit.
///
/// The default decoder of BINARY_CODE heads; the encoding's `num_classes`, `code` and `bits`
/// give the codewords.
public struct NearestCodeDecoder: HeadDecoder {
    /// How the nearest codeword is measured.
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Highest log-likelihood of the codeword under independent bit probabilities.
        case likelihood
        /// Fewest differing bits after thresholding.
        case hamming
    }

    /// The probability clip of the likelihood mode, so that log 0 never occurs.
    public static let clip = 1e-7
    /// Log-likelihoods closer than this (in nats) are a tie, decided by the lower class index.
    public static let tieTolerance = 1e-9

    /// The head's name, for error messages.
    public let headName: String
    /// C, the number of classes (`encoding.num_classes`).
    public let classes: Int
    /// The code family (`encoding.code`).
    public let code: ProtoLabelEncoding.Code
    /// The codeword of each class, `[C][L]` (from `BinaryCodes.table`).
    public let codewords: [[UInt8]]
    /// Display names, one per class; empty means "0".."C-1".
    public let classLabels: [String]
    /// Apply the sigmoid to each output first.
    public let fromLogits: Bool
    /// Likelihood or Hamming decoding.
    public let mode: Mode
    /// The bit threshold of the Hamming mode (`decoder.threshold`, unset means 0.5).
    public let threshold: Float

    /// L, the code length and output width.
    public var length: Int { codewords.first?.count ?? 0 }

    /// A NEAREST_CODE decoder from its settings; `bits` nil or 0 means the code's default length.
    ///
    /// - Throws: `DecodeError.configuration` when the code cannot be built (see
    ///   `BinaryCodeError`), `classLabels` does not have `classes` names, or the threshold is
    ///   not finite.
    public init(
        headName: String = "", classes: Int, code: ProtoLabelEncoding.Code = .natural, bits: Int? = nil,
        classLabels: [String] = [], fromLogits: Bool = false, mode: Mode = .likelihood, threshold: Float = 0.5
    ) throws(DecodeError) {
        let fields = DecoderFields(head: headName, kind: .nearestCode)
        do {
            codewords = try BinaryCodes.table(classes: classes, code: code, bits: bits)
        } catch {
            throw fields.failure("encoding", "\(error)")
        }
        try fields.checkLabels(classLabels, classes: classes)
        self.threshold = try fields.threshold(threshold)
        self.headName = headName
        self.classes = classes
        self.code = code
        self.classLabels = classLabels
        self.fromLogits = fromLogits
        self.mode = mode
    }

    /// The NEAREST_CODE decoder of a BINARY_CODE `head`: `encoding.num_classes`, `code` and
    /// `bits`, `class_label`, `decoder.threshold` and `loss.from_logits`.
    ///
    /// - Throws: `DecodeError.configuration` when the encoding is not BINARY_CODE or has no
    ///   `num_classes`, and as `init(headName:classes:…)`.
    public init(for head: ProtoHead, mode: Mode = .likelihood) throws(DecodeError) {
        let name = HeadDecoders.displayName(head)
        let fields = DecoderFields(head: name, kind: .nearestCode)
        guard head.encoding.kind == .binaryCode else {
            throw fields.failure(
                "encoding.kind",
                "NEAREST_CODE decodes BINARY_CODE outputs, but the encoding is "
                    + DecodeError.spelled(head.encoding.kind))
        }
        guard let classes = DecoderFields.declaredClasses(head) else {
            throw fields.failure("encoding.num_classes", "is unset, but the codewords depend on the class count")
        }
        try self.init(
            headName: name, classes: classes, code: head.encoding.code, bits: Int(clamping: head.encoding.bits),
            classLabels: head.classLabel, fromLogits: Probabilities.sigmoidApplies(to: head), mode: mode,
            threshold: DecoderFields.declaredThreshold(head))
    }

    public func decode(_ output: Tensor) throws(DecodeError) -> [Prediction] {
        let rows = try OutputRows(
            output, head: headName, decoder: .nearestCode, expectedWidth: length, acceptsVector: true,
            reason: "one unit per code bit, \(length) bits for \(classes) classes")
        let names = try DecoderFields(head: headName, kind: .nearestCode).names(classLabels, classes: classes)
        return (0..<rows.count).map { sample in
            let probabilities = Probabilities.transform(rows[sample], sigmoid: fromLogits)
            let (winner, score) = mode == .likelihood ? mostLikely(probabilities) : fewestDifferences(probabilities)
            return Prediction(labels: [winner], names: [names[winner]], scores: [score])
        }
    }

    /// The class with the highest codeword log-likelihood, and its softmax posterior.
    private func mostLikely(_ probabilities: [Float]) -> (Int, Float) {
        // Per bit: the log-probability of reading a 0 and a 1. NaN is treated as 0.5 (no evidence).
        let logs = probabilities.map { p -> (zero: Double, one: Double) in
            let clipped = p.isNaN ? 0.5 : Swift.min(Swift.max(Double(p), Self.clip), 1 - Self.clip)
            return (Foundation.log(1 - clipped), Foundation.log(clipped))
        }
        let likelihoods = codewords.map { word in
            zip(word, logs).reduce(0.0) { sum, pair in sum + (pair.0 == 1 ? pair.1.one : pair.1.zero) }
        }
        var winner = 0
        for c in likelihoods.indices where likelihoods[c] > likelihoods[winner] + Self.tieTolerance { winner = c }
        let normaliser = likelihoods.reduce(0.0) { $0 + Foundation.exp($1 - likelihoods[winner]) }
        return (winner, Float(1 / normaliser))
    }

    /// The class whose codeword differs from the thresholded bits in the fewest places, and that count.
    private func fewestDifferences(_ probabilities: [Float]) -> (Int, Float) {
        let bits: [UInt8] = probabilities.map { $0 >= threshold ? 1 : 0 }
        let distances = codewords.map { word in zip(word, bits).reduce(0) { $0 + ($1.0 == $1.1 ? 0 : 1) } }
        var winner = 0
        for c in distances.indices where distances[c] < distances[winner] { winner = c }
        return (winner, Float(distances[winner]))
    }
}
