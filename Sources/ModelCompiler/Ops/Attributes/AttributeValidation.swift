/// The attribute-value checks `modelc check` runs on every node, with the decoders that shape
/// rules and kernels use: the op's typed attributes are decoded (Gemm, Conv, pools,
/// reductions), and every INT attribute with an ONNX 0/1 flag name is checked on any op.
enum AttributeValidation {
    /// INT attributes that ONNX (and our own ops) define as booleans.
    static let flagNames: Set<String> = [
        "allowzero", "ceil_mode", "count_include_pad", "detect_negative", "detect_positive", "fmod", "from_logits", "keepdims", "log", "mean",
        "noop_with_empty_axes", "select_last_index", "storage_order", "training_mode", "transA", "transB",
    ]

    /// The first attribute value of a node of `op` that no kernel would execute as written.
    static func firstError(_ op: OpType, _ attributes: Attributes, schema: OpSchema) -> AttributeError? {
        do {
            for name in attributes.values.keys.sorted()
            where flagNames.contains(name) && schema.attribute(named: name)?.kind == .int {
                _ = try attributes.flag(name, default: false)
            }
            switch op {
            case .gemm, .fusedGemm: _ = try GemmAttributes(attributes)
            case .conv, .fusedConv, .convTranspose, .convGrad: _ = try ConvAttributes(attributes)
            case .maxPool, .averagePool, .poolGrad: _ = try PoolAttributes(attributes)
            case .reduceMax, .reduceMean, .reduceSum: _ = try ReduceAttributes(attributes)
            case .argMax: _ = try ArgMaxAttributes(attributes)
            default: break  // no value constraints beyond the kinds and the flags above
            }
        } catch {
            return error
        }
        return nil
    }
}

extension InferenceContext {
    /// Decodes typed attributes for a shape rule; a bad value becomes `shape.attribute-value`.
    public func decode<T>(_ decoder: (Attributes) throws(AttributeError) -> T) throws(ShapeError) -> T {
        do {
            return try decoder(attributes)
        } catch {
            throw ShapeError("attribute-value", error.message)
        }
    }
}
