import ModelFormat

extension InferenceSession {
    /// Runs the graph and decodes each head's output into natural labels (DESIGN §3: the
    /// decoder of the head, or the one its encoding implies). Returns, per head name, one
    /// prediction per sample.
    public func predict(_ feeds: [String: Tensor]) throws(RuntimeError) -> [String: [Prediction]] {
        try decode(run(feeds, outputs: model.head.map(\.output)))
    }

    /// Each head's predictions from already fetched values (which must include the head
    /// outputs), so a caller that also needs other values runs the graph once.
    public func decode(_ outputs: [String: Tensor]) throws(RuntimeError) -> [String: [Prediction]] {
        var result: [String: [Prediction]] = [:]
        for (index, head) in model.head.enumerated() {
            let name = head.name.isEmpty ? "#\(index)" : head.name
            guard let output = outputs[head.output] else { continue }
            do {
                result[name] = try HeadDecoders.make(for: head).decode(output)
            } catch {
                throw .decode(head: name, reason: error.description)
            }
        }
        return result
    }
}
