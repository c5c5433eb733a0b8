import ModelFormat

/// `head.code-length` (error): a BINARY_CODE head whose output width is not the code length, or
/// whose `bits` cannot form a code: too few to give every class its own codeword (NATURAL, GRAY),
/// or not a power of two above C (HADAMARD), the same rules the runtime's encoder applies.
///
/// Each output unit holds one code bit (unit 0 the most significant), so the width must be the
/// code length: `bits` when set, else ceil(log2 C) for NATURAL and GRAY codes, and for HADAMARD
/// the order 2^k of the smallest Sylvester Hadamard matrix with 2^k > C.
enum CodeLengthCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        guard head.encodingKind == .binaryCode, let classes = head.numClasses else { return [] }
        let encoding = head.head.encoding
        let code = spelled(encoding.code)
        var findings: [Diagnostic] = []
        let minimum = BinaryCodeLength.minimumBits(classes: classes)
        if encoding.bits > 0, encoding.code != .hadamard, encoding.bits < minimum {
            findings.append(
                Diagnostic(
                    .error, "head.code-length", .init(field: "encoding.bits"),
                    "bits is \(encoding.bits), but \(classes) classes need at least \(minimum) bits "
                        + "(ceil(log2 \(classes))), so some classes would share a codeword and could not be told apart",
                    fix: "set encoding.bits to \(minimum) or more, or leave it unset"))
        }
        let hadamardBitsValid = encoding.bits > classes && encoding.bits.nonzeroBitCount == 1
        if encoding.bits > 0, encoding.code == .hadamard, !hadamardBitsValid {
            let order = BinaryCodeLength.hadamardOrder(classes: classes)
            findings.append(
                Diagnostic(
                    .error, "head.code-length", .init(field: "encoding.bits"),
                    "bits is \(encoding.bits), but HADAMARD codewords are rows of a Hadamard matrix whose order is a "
                        + "power of two above the \(classes) classes, so no such code of \(encoding.bits) bits exists",
                    fix: "leave encoding.bits unset (\(order) bits) or set it to a larger power of two"))
        }
        guard let width = head.outputWidth else { return findings }
        let expected: Int
        let reason: String
        if encoding.bits > 0 {
            expected = Int(encoding.bits)
            reason = "encoding.bits is \(encoding.bits)"
        } else if encoding.code == .hadamard {
            expected = BinaryCodeLength.hadamardOrder(classes: classes)
            reason =
                "HADAMARD codes for \(classes) classes use rows of the Hadamard matrix of order \(expected), "
                + "the smallest power of two above \(classes)"
        } else {
            expected = minimum
            reason = "\(code) codes for \(classes) classes use ceil(log2 \(classes)) = \(expected) bits"
        }
        guard width != expected else { return findings }
        // A longer explicit code is fine for NATURAL/GRAY (leading zero bits); HADAMARD rows have a fixed length.
        let bitsFitWidth = encoding.code != .hadamard && width >= minimum
        findings.append(
            Diagnostic(
                .error, "head.code-length", .init(field: "encoding"),
                "output '\(head.head.output)' has \(units(width)), but the BINARY_CODE target has \(expected) bits "
                    + "(\(reason)); each unit holds one code bit, so targets and outputs would not line up",
                fix: "make the layer in front of the head produce \(units(expected))"
                    + (bitsFitWidth ? ", or set encoding.bits to \(width)" : "")))
        return findings
    }
}
