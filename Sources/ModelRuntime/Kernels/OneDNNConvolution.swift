import CDNNL
import ModelCompiler

/// Conv and FusedConv with 1, 2 or 3 spatial axes as a oneDNN convolution (ONNX Conv-11;
/// groups, depthwise included; strides, dilations, pads, auto_pad).
///
/// The primitive chooses its own layouts (`format_tag::any`): the blocked ones its direct
/// kernels want (nChw16c and the like). Constant weights are reordered into that layout once,
/// at bind time; activations are reordered from and to the graph's plain NC… layout around
/// each convolution, in the arena's scratch. Bias and the fused activation are part of the
/// primitive (bias argument, eltwise post-op), and so is FusedConv's residual input Z (a sum
/// post-op: Z is placed in the destination first and the convolution adds onto it).
struct OneDNNConvolutionKernel: Kernel, ReportsImplementation {
    let convolution: OneDNNPrimitive
    /// Plain X → the primitive's source layout (nil when they agree).
    let sourceReorder: OneDNNPrimitive?
    /// The primitive's destination layout → plain Y (nil when they agree).
    let destinationReorder: OneDNNPrimitive?
    /// Plain W → the primitive's weights layout, run per call when W is not a constant.
    let weightsReorder: OneDNNPrimitive?
    /// Plain Z → the primitive's destination layout (FusedConv's residual input), when the
    /// destination is blocked.
    let residualReorder: OneDNNPrimitive?
    let hasResidual: Bool
    let outputByteCount: Int
    /// W in the primitive's layout, reordered at bind time (constant W), or W itself.
    let packedWeights: OneDNNBuffer?
    let hasBias: Bool
    let threads: Int
    /// Scratch layout: reordered source, destination and weights, then the scratchpad that
    /// the primitives share (they run one after another).
    let sourceOffset: Int
    let destinationOffset: Int
    let weightsOffset: Int
    let scratchpadOffset: Int
    let scratchByteCount: Int

    /// The implementations oneDNN picked, for `bench --verbose`.
    var implementations: [String] {
        [sourceReorder, weightsReorder, residualReorder, convolution, destinationReorder].compactMap {
            $0?.implementation
        }
    }

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let x = node.shape(0)
        let w = node.shape(1)
        let y = node.outputShapes[0]
        let spatial = x.count - 2
        guard (1...3).contains(spatial), w.count == x.count, y.count == x.count else {
            throw node.error("X \(x), W \(w) and Y \(y) must have the same rank, with 1 to 3 spatial axes")
        }
        let groups = try node.decode(ConvAttributes.init).group
        guard groups >= 1, x[1] % groups == 0, w[0] % groups == 0, w[1] * groups == x[1], y[0] == x[0], y[1] == w[0]
        else {
            throw node.error("X \(x), W \(w) and Y \(y) do not agree for group \(groups)")
        }
        let hasBias = node.has(2)
        self.hasBias = hasBias
        if hasBias, node.shape(2) != [w[0]] {
            throw node.error("B \(node.shape(2)) must be [\(w[0])]")
        }
        let kernel = Array(w[2...])
        if let declared = node.attributes.ints("kernel_shape"), declared != kernel {
            throw node.error("kernel_shape \(declared) disagrees with W \(w)")
        }
        let window = try ConvolutionWindow(node, kernel: kernel, input: Array(x[2...]), output: Array(y[2...]))
        let threads = node.threads
        self.threads = threads

        let plainTags: [dnnl_format_tag_t] = [dnnl_ncw, dnnl_nchw, dnnl_ncdhw]
        let plainX = OneDNN.plainDescriptor(x, tag: plainTags[spatial - 1])
        let plainY = OneDNN.plainDescriptor(y, tag: plainTags[spatial - 1])
        let plainW =
            groups == 1
            ? OneDNN.plainDescriptor(w, tag: [dnnl_oiw, dnnl_oihw, dnnl_oidhw][spatial - 1])
            : OneDNN.plainDescriptor(
                [groups, w[0] / groups] + w.dropFirst(), tag: [dnnl_goiw, dnnl_goihw, dnnl_goidhw][spatial - 1])
        let anyX = OneDNN.plainDescriptor(x, tag: dnnl_format_tag_any)
        let anyY = OneDNN.plainDescriptor(y, tag: dnnl_format_tag_any)
        var anyW = plainW
        anyW.format_kind = dnnl_format_kind_any
        let bias = OneDNN.plainDescriptor([w[0]], tag: dnnl_a)

        var operation = dnnl_convolution_desc_t()
        let status = withUnsafePointer(to: anyX) { src in
            withUnsafePointer(to: anyW) { weights in
                withUnsafePointer(to: bias) { bias in
                    withUnsafePointer(to: anyY) { dst in
                        dnnl_dilated_convolution_forward_desc_init(
                            &operation, dnnl_forward_inference, dnnl_convolution_direct, src, weights,
                            hasBias ? bias : nil, dst, window.strides, window.dilations, window.padBegin,
                            window.padEnd)
                    }
                }
            }
        }
        try OneDNN.check(status, node: node.name, op: node.op.rawValue, call: "convolution descriptor")
        let hasResidual = node.op == .fusedConv && node.has(3)
        self.hasResidual = hasResidual
        if hasResidual, node.shape(3) != y {
            throw node.error("Z \(node.shape(3)) must have Y's shape \(y)")
        }
        outputByteCount = y.reduce(1, *) * MemoryLayout<Float>.size
        let attributes = try OneDNNAttributes(activation: node.fusedActivation(), sum: hasResidual ? 1 : nil, node: node)
        OneDNNThreads.use(threads)
        var descriptor: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_primitive_desc_create(&descriptor, &operation, attributes.handle, OneDNN.engine, nil),
            node: node.name, op: node.op.rawValue, call: "convolution")
        guard let descriptor else { throw node.error("oneDNN returned no convolution") }
        convolution = try OneDNNPrimitive(
            descriptor: descriptor,
            arguments: hasBias
                ? [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST]
                : [DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST],
            node: node)

        let source = convolution.descriptor(of: DNNL_ARG_SRC) ?? plainX
        let weights = convolution.descriptor(of: DNNL_ARG_WEIGHTS) ?? plainW
        let destination = convolution.descriptor(of: DNNL_ARG_DST) ?? plainY
        sourceReorder = OneDNN.same(source, plainX) ? nil : try OneDNN.reorder(from: plainX, to: source, node: node)
        destinationReorder =
            OneDNN.same(destination, plainY) ? nil : try OneDNN.reorder(from: destination, to: plainY, node: node)
        let reorderWeights = OneDNN.same(weights, plainW) ? nil : try OneDNN.reorder(from: plainW, to: weights, node: node)
        residualReorder =
            hasResidual && destinationReorder != nil ? try OneDNN.reorder(from: plainY, to: destination, node: node) : nil

        var packed: OneDNNBuffer?
        if let reorderWeights, let constant = node.constants[1] {
            let buffer = OneDNNBuffer(byteCount: OneDNN.byteCount(weights))
            let scratchpad = OneDNNBuffer(byteCount: reorderWeights.scratchpadByteCount)
            constant.withUnsafeBytes { bytes in
                let handles: [UnsafeMutableRawPointer?] = [UnsafeMutableRawPointer(mutating: bytes.baseAddress), buffer.pointer]
                handles.withUnsafeBufferPointer {
                    reorderWeights.execute($0, scratchpad: scratchpad.pointer, threads: threads)
                }
            }
            packed = buffer
            weightsReorder = nil
        } else {
            weightsReorder = reorderWeights
        }
        packedWeights = packed

        func aligned(_ bytes: Int) -> Int { (bytes + 63) / 64 * 64 }
        sourceOffset = 0
        destinationOffset = sourceOffset + (sourceReorder == nil ? 0 : aligned(OneDNN.byteCount(source)))
        weightsOffset = destinationOffset + (destinationReorder == nil ? 0 : aligned(OneDNN.byteCount(destination)))
        scratchpadOffset = weightsOffset + (weightsReorder == nil ? 0 : aligned(OneDNN.byteCount(weights)))
        let scratchpad = [convolution, sourceReorder, destinationReorder, weightsReorder, residualReorder]
            .compactMap { $0?.scratchpadByteCount }.max() ?? 0
        scratchByteCount = scratchpadOffset + aligned(scratchpad)
    }

    func run(_ io: KernelIO) {
        let scratch = io.scratch
        let scratchpad = scratch.map { $0 + scratchpadOffset }
        let x = UnsafeMutableRawPointer(mutating: io.input(0))
        let y = io.output(0)
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: 4) { handles in
            var source = x
            if let sourceReorder, let scratch {
                source = scratch + sourceOffset
                handles[0] = x
                handles[1] = source
                sourceReorder.execute(UnsafeBufferPointer(rebasing: handles[0..<2]), scratchpad: scratchpad, threads: threads)
            }
            var weights = packedWeights?.pointer ?? UnsafeMutableRawPointer(mutating: io.input(1))
            if let weightsReorder, let scratch {
                handles[0] = weights
                handles[1] = scratch + weightsOffset
                weightsReorder.execute(UnsafeBufferPointer(rebasing: handles[0..<2]), scratchpad: scratchpad, threads: threads)
                weights = scratch + weightsOffset
            }
            let destination = destinationReorder != nil ? scratch.map { $0 + destinationOffset } : y
            if hasResidual, let z = io.input(3), let destination {
                // The sum post-op adds the convolution onto what the destination holds.
                if let residualReorder {
                    handles[0] = UnsafeMutableRawPointer(mutating: z)
                    handles[1] = destination
                    residualReorder.execute(
                        UnsafeBufferPointer(rebasing: handles[0..<2]), scratchpad: scratchpad, threads: threads)
                } else if UnsafeRawPointer(destination) != z {
                    destination.copyMemory(from: z, byteCount: outputByteCount)
                }
            }
            handles[0] = source
            handles[1] = weights
            if hasBias {
                handles[2] = UnsafeMutableRawPointer(mutating: io.input(2))
                handles[3] = destination
            } else {
                handles[2] = destination
            }
            convolution.execute(
                UnsafeBufferPointer(rebasing: handles[0..<(hasBias ? 4 : 3)]), scratchpad: scratchpad, threads: threads)
            if let destinationReorder {
                handles[0] = destination
                handles[1] = y
                destinationReorder.execute(
                    UnsafeBufferPointer(rebasing: handles[0..<2]), scratchpad: scratchpad, threads: threads)
            }
        }
    }
}

/// The window of a convolution or pooling over N spatial axes in oneDNN's terms: strides,
/// dilations as oneDNN counts them (ONNX dilation − 1), and begin/end pads with auto_pad
/// resolved (ONNX Conv-11: SAME pads total max(0, (out−1)·stride + (k−1)·dilation + 1 − in), the
/// odd one at the end for SAME_UPPER and at the beginning for SAME_LOWER). The attributes are
/// decoded by `WindowAttributes`, the checker's and shape rule's decoder.
struct ConvolutionWindow {
    let strides: [Int64]
    let dilations: [Int64]
    let padBegin: [Int64]
    var padEnd: [Int64]

    /// The window of `node` (a global one, covering the input, when `global`).
    init(_ node: BoundNode, kernel: [Int], input: [Int], output: [Int], global: Bool = false) throws(RuntimeError) {
        let rank = kernel.count
        let window = try node.decode { (attributes: Attributes) throws(AttributeError) -> ResolvedWindow in
            try WindowAttributes(global ? Attributes([]) : attributes).resolved(spatialRank: rank, kernel: kernel)
        }
        var begin = Array(window.pads[..<rank])
        var end = Array(window.pads[rank...])
        switch window.autoPad {
        case .notSet: break
        case .valid:
            begin = Array(repeating: 0, count: rank)
            end = begin
        case .sameUpper, .sameLower:
            for axis in 0..<rank {
                let total = max(0, (output[axis] - 1) * window.strides[axis] + window.effectiveKernel(axis) - input[axis])
                begin[axis] = window.autoPad == .sameUpper ? total / 2 : total - total / 2
                end[axis] = total - begin[axis]
            }
        }
        strides = window.strides.map { Int64($0) }
        dilations = window.dilations.map { Int64($0 - 1) }
        padBegin = begin.map { Int64($0) }
        padEnd = end.map { Int64($0) }
    }
}
