import ModelCompiler

extension BoundNode {
    /// Decodes the node's typed attributes with the decoder the checker and the shape rule use
    /// (`GemmAttributes.init`, `PoolAttributes.init`, ...); a bad value becomes a bind error.
    func decode<T>(_ decoder: (Attributes) throws(AttributeError) -> T) throws(RuntimeError) -> T {
        do {
            return try decoder(attributes)
        } catch {
            throw self.error("attribute \(error.attribute): \(error.message)")
        }
    }

    /// INT attribute `name` as a 0/1 flag (see `Attributes.flag`).
    func flag(_ name: String, default value: Bool) throws(RuntimeError) -> Bool {
        try decode { (attributes: Attributes) throws(AttributeError) -> Bool in
            try attributes.flag(name, default: value)
        }
    }
}
