import ModelFormat

/// `head.softmax-axis-of-one` (error): the output's Softmax or LogSoftmax normalises over an axis
/// of size 1.
///
/// Softmax over one element is exactly 1 (LogSoftmax exactly 0) whatever the input, so the head
/// predicts a constant and no gradient reaches the layers before it. It usually means the wrong
/// `axis`, or a single binary output that wanted Sigmoid.
enum SoftmaxAxisOfOneCheck: HeadCheck {
    static func check(_ head: HeadView) -> [Diagnostic] {
        let axis: Int
        let constant: String
        switch head.activation {
        case .softmax(let a):
            axis = a
            constant = "1"
        case .logSoftmax(let a):
            axis = a
            constant = "0"
        default:
            return []
        }
        guard head.activationAxisSize == 1 else { return [] }
        return [
            Diagnostic(
                .error, "head.softmax-axis-of-one", head.activationLocation(field: nil),
                "\(head.activationPhrase) normalises over axis \(axis), which has size 1, so every output is "
                    + "exactly \(constant) whatever the input; the head predicts a constant and nothing before it "
                    + "can learn",
                fix: "set `axis` to the class axis, or use Sigmoid for a single yes/no output")
        ]
    }
}
