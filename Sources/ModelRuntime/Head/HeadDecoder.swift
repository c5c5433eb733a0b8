/// Turns a head's output tensor into one `Prediction` per sample (DESIGN §3, `Decoder`).
///
/// Outputs are `[N, W]`: N samples, W units on the class axis (C for ARGMAX, THRESHOLD and
/// CUMULATIVE_MASS, the code length for NEAREST_CODE, C − 1 for ORDINAL_COUNT, the value width
/// for IDENTITY). THRESHOLD, NEAREST_CODE, ORDINAL_COUNT and IDENTITY also accept `[N]` for a
/// head with one output unit; ARGMAX and CUMULATIVE_MASS need a class axis, since ranking one
/// unit says nothing.
///
/// ## Logits and probabilities
/// Decoders threshold and score probabilities. When the head's loss has `from_logits` set, the
/// output holds logits and the decoder applies the activation the loss implies first:
/// - softmax over the class axis for ARGMAX (its scores) and CUMULATIVE_MASS, whose classes are
///   exclusive (softmax cross-entropy, KL divergence). A NEGATIVE_LOG_LIKELIHOOD head holds
///   log-probabilities, so it gets the softmax too (softmax of log p is p);
/// - the logistic sigmoid per unit for THRESHOLD, NEAREST_CODE and ORDINAL_COUNT, whose units
///   are independent binary decisions (binary cross-entropy).
/// Otherwise (no loss, or a probability-space loss after a Softmax or Sigmoid in the graph) the
/// output is used as it is. IDENTITY never transforms its output.
///
/// Decoding is a pure function of the tensor: a decoder holds no state and may be shared.
public protocol HeadDecoder: Sendable {
    /// One prediction per sample of `output` (`[N, W]`, or `[N]` where accepted).
    ///
    /// - Throws: `DecodeError.outputShape` when the rank or the width does not fit the head;
    ///   `DecodeError.configuration` when the width implies a class count that contradicts the
    ///   head (e.g. the number of `class_label` entries).
    func decode(_ output: Tensor) throws(DecodeError) -> [Prediction]
}
