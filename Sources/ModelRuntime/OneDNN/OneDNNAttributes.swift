import CDNNL

/// A oneDNN primitive attribute (user scratchpad, post-ops), destroyed with this object.
final class OneDNNAttributes {
    let handle: dnnl_primitive_attr_t?

    /// User scratchpad (the arena provides it); with `sum`, the destination's previous contents
    /// times `sum` are added to the result (a residual connection, Gemm's beta·C), then
    /// `activation` is applied as an eltwise post-op.
    init(activation: Pointwise = .identity, sum: Float? = nil, node: BoundNode) throws(RuntimeError) {
        var attributes: dnnl_primitive_attr_t?
        try OneDNN.check(dnnl_primitive_attr_create(&attributes), node: node.name, op: node.op.rawValue, call: "attr")
        handle = attributes
        dnnl_primitive_attr_set_scratchpad_mode(attributes, dnnl_scratchpad_mode_user)
        let eltwise = OneDNNAttributes.eltwise(activation)
        if eltwise == nil, case .identity = activation {
        } else if eltwise == nil {
            throw node.error("activation \(activation) has no oneDNN post-op")
        }
        guard sum != nil || eltwise != nil else { return }
        var postOps: dnnl_post_ops_t?
        dnnl_post_ops_create(&postOps)
        defer { dnnl_post_ops_destroy(postOps) }
        if let sum { dnnl_post_ops_append_sum(postOps, sum) }
        if let (algorithm, alpha, beta) = eltwise { dnnl_post_ops_append_eltwise(postOps, 1, algorithm, alpha, beta) }
        try OneDNN.check(
            dnnl_primitive_attr_set_post_ops(attributes, postOps), node: node.name, op: node.op.rawValue,
            call: "post-ops")
    }

    deinit { if let handle { dnnl_primitive_attr_destroy(handle) } }

    /// The oneDNN eltwise algorithm and parameters computing `function`; nil for the identity
    /// and for functions oneDNN lacks or computes less accurately than float32 rounding.
    static func eltwise(_ function: Pointwise) -> (dnnl_alg_kind_t, Float, Float)? {
        switch function {
        case .relu: (dnnl_eltwise_relu, 0, 0)
        case .leakyRelu(let alpha): (dnnl_eltwise_relu, alpha, 0)
        case .sigmoid: (dnnl_eltwise_logistic, 0, 0)
        case .tanh: (dnnl_eltwise_tanh, 0, 0)
        case .elu(let alpha): (dnnl_eltwise_elu, alpha, 0)
        case .clip(let low, let high): (dnnl_eltwise_clip_v2, low, high)
        case .swish: (dnnl_eltwise_swish, 1, 0)
        case .abs: (dnnl_eltwise_abs, 0, 0)
        case .exp: (dnnl_eltwise_exp, 0, 0)
        case .neg: (dnnl_eltwise_linear, -1, 0)
        case .sqrt: (dnnl_eltwise_sqrt, 0, 0)
        case .softplus: (dnnl_eltwise_soft_relu, 0, 0)
        case .gelu(let tanhApproximation): tanhApproximation ? (dnnl_eltwise_gelu_tanh, 0, 0) : nil
        // oneDNN's log and erf-based gelu are approximations that miss float32 rounding (log(1)
        // = −1.4e−6; gelu(−3) off by 4e−5 relative): the Swift formulas keep those.
        case .hardSwish: (dnnl_eltwise_hardswish, 0, 0)  // x·relu6(x + 3)/6, ONNX HardSwish
        case .identity, .selu, .log, .erf, .reciprocal, .sign, .floor, .ceil, .round, .hardSigmoid: nil
        }
    }
}

/// An aligned buffer owned by a kernel: weights reordered once into a primitive's layout.
final class OneDNNBuffer: @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer

    init(byteCount: Int) {
        pointer = .allocate(byteCount: max(byteCount, 1), alignment: 64)
    }

    deinit { pointer.deallocate() }
}

extension OneDNN {
    /// A plain row-major descriptor (`nc…` for activations, `oi…` for weights) of `dims`.
    static func plainDescriptor(_ dims: [Int], tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var descriptor = dnnl_memory_desc_t()
        let extents = dims.map { Int64($0) }
        _ = dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), extents, dnnl_f32, tag)
        return descriptor
    }

    /// The row-major format tag of a tensor of rank `rank` (1...6): `a`, `ab`, `abc`, ….
    static func rowMajorTag(rank: Int) -> dnnl_format_tag_t {
        [dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde, dnnl_abcdef][max(0, min(rank, 6) - 1)]
    }

    /// Whether two descriptors describe the same layout.
    static func same(_ a: dnnl_memory_desc_t, _ b: dnnl_memory_desc_t) -> Bool {
        withUnsafePointer(to: a) { a in withUnsafePointer(to: b) { b in dnnl_memory_desc_equal(a, b) != 0 } }
    }

    static func byteCount(_ descriptor: dnnl_memory_desc_t) -> Int {
        withUnsafePointer(to: descriptor) { Int(dnnl_memory_desc_get_size($0)) }
    }

    /// A reorder from `source` to `destination` layout (user scratchpad).
    static func reorder(
        from source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t, node: BoundNode
    ) throws(RuntimeError) -> OneDNNPrimitive {
        let attributes = try OneDNNAttributes(node: node)
        var descriptor: dnnl_primitive_desc_t?
        let status = withUnsafePointer(to: source) { source in
            withUnsafePointer(to: destination) { destination in
                dnnl_reorder_primitive_desc_create(
                    &descriptor, source, engine, destination, engine, attributes.handle)
            }
        }
        try check(status, node: node.name, op: node.op.rawValue, call: "reorder")
        guard let descriptor else { throw node.error("oneDNN returned no reorder") }
        return try OneDNNPrimitive(descriptor: descriptor, arguments: [DNNL_ARG_FROM, DNNL_ARG_TO], node: node)
    }
}
