import CDNNL
import ModelCompiler

/// ConvGrad (dX, dW, dB of Conv from dY, X and W; 1 to 3 spatial axes, groups) as oneDNN's
/// convolution backward-data and backward-weights primitives, each created with the forward
/// training primitive as its hint. The primitives choose their layouts; dY, X and W (which
/// changes every step, so it is reordered per run) are reordered into them, and dX and dW
/// back into the graph's plain layout, in the arena's scratch. dB comes with dW.
struct OneDNNConvGradKernel: Kernel, ReportsImplementation {
    /// A primitive argument in the primitive's layout: reordered from (input) or to (output)
    /// the plain layout through `scratch + offset`, or used in place when the layouts agree.
    struct Staged {
        let reorder: OneDNNPrimitive?
        let offset: Int
    }

    let backwardData: OneDNNPrimitive?
    let backwardWeights: OneDNNPrimitive?
    /// Backward data: dY in, W in, dX out.
    let dataStages: [Staged]
    /// Backward weights: X in, dY in, dW out (dB is plain).
    let weightStages: [Staged]
    let hasBiasGradient: Bool
    let threads: Int
    let scratchpadOffset: Int
    let scratchByteCount: Int
    /// Bytes of dW, for a weights gradient that is computed but not requested (dB only).
    let weightsGradientOffset: Int?

    var implementations: [String] {
        ([backwardData, backwardWeights] + (dataStages + weightStages).map(\.reorder)).compactMap {
            $0?.implementation
        }
    }

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let dy = node.shape(0)
        let x = node.shape(1)
        let w = node.shape(2)
        let spatial = x.count - 2
        guard (1...3).contains(spatial), w.count == x.count, dy.count == x.count else {
            throw node.error("dY \(dy), X \(x) and W \(w) must have the same rank, with 1 to 3 spatial axes")
        }
        let groups = try node.decode(ConvAttributes.init).group
        guard groups >= 1, x[1] % groups == 0, w[0] % groups == 0, w[1] * groups == x[1], dy[0] == x[0], dy[1] == w[0]
        else {
            throw node.error("dY \(dy), X \(x) and W \(w) do not agree for group \(groups)")
        }
        let window = try ConvolutionWindow(node, kernel: Array(w[2...]), input: Array(x[2...]), output: Array(dy[2...]))
        let threads = node.threads
        self.threads = threads
        let wantsData = node.outputShapes.indices.contains(0) && node.outputShapes[0] == x
        let wantsWeights = node.outputShapes.count > 1 && node.outputShapes[1] == w
        let wantsBias = node.outputShapes.count > 2 && node.outputShapes[2] == [w[0]]
        hasBiasGradient = wantsBias

        let tags: [dnnl_format_tag_t] = [dnnl_ncw, dnnl_nchw, dnnl_ncdhw]
        let plainX = OneDNN.plainDescriptor(x, tag: tags[spatial - 1])
        let plainY = OneDNN.plainDescriptor(dy, tag: tags[spatial - 1])
        let plainW =
            groups == 1
            ? OneDNN.plainDescriptor(w, tag: [dnnl_oiw, dnnl_oihw, dnnl_oidhw][spatial - 1])
            : OneDNN.plainDescriptor(
                [groups, w[0] / groups] + w.dropFirst(), tag: [dnnl_goiw, dnnl_goihw, dnnl_goidhw][spatial - 1])
        let plainB = OneDNN.plainDescriptor([w[0]], tag: dnnl_a)
        func any(_ descriptor: dnnl_memory_desc_t) -> dnnl_memory_desc_t {
            var result = descriptor
            result.format_kind = dnnl_format_kind_any
            return result
        }
        let (anyX, anyY, anyW) = (any(plainX), any(plainY), any(plainW))

        // The forward training primitive descriptor: the hint both backward primitives need.
        var forward = dnnl_convolution_desc_t()
        try OneDNN.check(
            withUnsafePointer(to: anyX) { src in
                withUnsafePointer(to: anyW) { wei in
                    withUnsafePointer(to: plainB) { bia in
                        withUnsafePointer(to: anyY) { dst in
                            dnnl_dilated_convolution_forward_desc_init(
                                &forward, dnnl_forward_training, dnnl_convolution_direct, src, wei,
                                wantsBias ? bia : nil, dst, window.strides, window.dilations, window.padBegin,
                                window.padEnd)
                        }
                    }
                }
            }, node: node.name, op: node.op.rawValue, call: "convolution descriptor")
        let attributes = try OneDNNAttributes(node: node)
        OneDNNThreads.use(threads)
        var hint: dnnl_primitive_desc_t?
        try OneDNN.check(
            dnnl_primitive_desc_create(&hint, &forward, attributes.handle, OneDNN.engine, nil), node: node.name,
            op: node.op.rawValue, call: "convolution (training)")
        defer { dnnl_primitive_desc_destroy(hint) }

        var offset = 0
        func stage(_ plain: dnnl_memory_desc_t, _ wanted: dnnl_memory_desc_t?, input: Bool) throws(RuntimeError)
            -> Staged
        {
            guard let wanted, !OneDNN.same(plain, wanted) else { return Staged(reorder: nil, offset: 0) }
            let reorder =
                input
                ? try OneDNN.reorder(from: plain, to: wanted, node: node)
                : try OneDNN.reorder(from: wanted, to: plain, node: node)
            defer { offset += (OneDNN.byteCount(wanted) + 63) / 64 * 64 }
            return Staged(reorder: reorder, offset: offset)
        }

        if wantsData {
            var operation = dnnl_convolution_desc_t()
            try OneDNN.check(
                withUnsafePointer(to: anyX) { diffSrc in
                    withUnsafePointer(to: anyW) { wei in
                        withUnsafePointer(to: anyY) { diffDst in
                            dnnl_dilated_convolution_backward_data_desc_init(
                                &operation, dnnl_convolution_direct, diffSrc, wei, diffDst, window.strides,
                                window.dilations, window.padBegin, window.padEnd)
                        }
                    }
                }, node: node.name, op: node.op.rawValue, call: "convolution backward-data descriptor")
            var descriptor: dnnl_primitive_desc_t?
            try OneDNN.check(
                dnnl_primitive_desc_create(&descriptor, &operation, attributes.handle, OneDNN.engine, hint),
                node: node.name, op: node.op.rawValue, call: "convolution backward data")
            guard let descriptor else { throw node.error("oneDNN returned no backward-data convolution") }
            let primitive = try OneDNNPrimitive(
                descriptor: descriptor, arguments: [DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC], node: node)
            backwardData = primitive
            dataStages = [
                try stage(plainY, primitive.descriptor(of: DNNL_ARG_DIFF_DST), input: true),
                try stage(plainW, primitive.descriptor(of: DNNL_ARG_WEIGHTS), input: true),
                try stage(plainX, primitive.descriptor(of: DNNL_ARG_DIFF_SRC), input: false),
            ]
        } else {
            backwardData = nil
            dataStages = []
        }

        var weightsGradientOffset: Int?
        if wantsWeights || wantsBias {
            var operation = dnnl_convolution_desc_t()
            try OneDNN.check(
                withUnsafePointer(to: anyX) { src in
                    withUnsafePointer(to: anyW) { diffWeights in
                        withUnsafePointer(to: plainB) { diffBias in
                            withUnsafePointer(to: anyY) { diffDst in
                                dnnl_dilated_convolution_backward_weights_desc_init(
                                    &operation, dnnl_convolution_direct, src, diffWeights, wantsBias ? diffBias : nil,
                                    diffDst, window.strides, window.dilations, window.padBegin, window.padEnd)
                            }
                        }
                    }
                }, node: node.name, op: node.op.rawValue, call: "convolution backward-weights descriptor")
            var descriptor: dnnl_primitive_desc_t?
            try OneDNN.check(
                dnnl_primitive_desc_create(&descriptor, &operation, attributes.handle, OneDNN.engine, hint),
                node: node.name, op: node.op.rawValue, call: "convolution backward weights")
            guard let descriptor else { throw node.error("oneDNN returned no backward-weights convolution") }
            let primitive = try OneDNNPrimitive(
                descriptor: descriptor,
                arguments: wantsBias
                    ? [DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS, DNNL_ARG_DIFF_BIAS]
                    : [DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS],
                node: node)
            backwardWeights = primitive
            var stages = [
                try stage(plainX, primitive.descriptor(of: DNNL_ARG_SRC), input: true),
                try stage(plainY, primitive.descriptor(of: DNNL_ARG_DIFF_DST), input: true),
            ]
            let diffWeights = primitive.descriptor(of: DNNL_ARG_DIFF_WEIGHTS) ?? plainW
            if wantsWeights {
                stages.append(try stage(plainW, diffWeights, input: false))
            } else {
                // dB alone: dW is still computed, into scratch.
                weightsGradientOffset = offset
                offset += (OneDNN.byteCount(diffWeights) + 63) / 64 * 64
                stages.append(Staged(reorder: nil, offset: 0))
            }
            weightStages = stages
        } else {
            backwardWeights = nil
            weightStages = []
        }
        self.weightsGradientOffset = weightsGradientOffset
        scratchpadOffset = offset
        let primitives = [backwardData, backwardWeights] + (dataStages + weightStages).map(\.reorder)
        let scratchpad = primitives.compactMap { $0?.scratchpadByteCount }.max() ?? 0
        scratchByteCount = offset + (scratchpad + 63) / 64 * 64
    }

    func run(_ io: KernelIO) {
        guard let scratch = io.scratch ?? (scratchByteCount == 0 ? UnsafeMutableRawPointer(bitPattern: 64) : nil)
        else { return }
        let scratchpad = scratch + scratchpadOffset
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: 4) { handles in
            /// Runs `reorder` from `source` to `destination`.
            func move(_ reorder: OneDNNPrimitive, _ source: UnsafeMutableRawPointer?, _ destination: UnsafeMutableRawPointer?) {
                handles[0] = source
                handles[1] = destination
                reorder.execute(UnsafeBufferPointer(rebasing: handles[0..<2]), scratchpad: scratchpad, threads: threads)
            }
            /// An input in the primitive's layout: reordered into scratch when it must be.
            func staged(_ stage: Staged, _ plain: UnsafeRawPointer?) -> UnsafeMutableRawPointer? {
                let pointer = UnsafeMutableRawPointer(mutating: plain)
                guard let reorder = stage.reorder else { return pointer }
                move(reorder, pointer, scratch + stage.offset)
                return scratch + stage.offset
            }
            if let backwardData, dataStages.count == 3 {
                let dy = staged(dataStages[0], io.input(0))
                let w = staged(dataStages[1], io.input(2))
                let dx = dataStages[2].reorder == nil ? io.output(0) : scratch + dataStages[2].offset
                handles[0] = dy
                handles[1] = w
                handles[2] = dx
                backwardData.execute(UnsafeBufferPointer(rebasing: handles[0..<3]), scratchpad: scratchpad, threads: threads)
                if let reorder = dataStages[2].reorder { move(reorder, dx, io.output(0)) }
            }
            if let backwardWeights, weightStages.count == 3 {
                let x = staged(weightStages[0], io.input(1))
                let dy = staged(weightStages[1], io.input(0))
                let dw =
                    weightsGradientOffset.map { scratch + $0 }
                    ?? (weightStages[2].reorder == nil ? io.output(1) : scratch + weightStages[2].offset)
                handles[0] = x
                handles[1] = dy
                handles[2] = dw
                if hasBiasGradient { handles[3] = io.output(2) }
                backwardWeights.execute(
                    UnsafeBufferPointer(rebasing: handles[0..<(hasBiasGradient ? 4 : 3)]), scratchpad: scratchpad,
                    threads: threads)
                if weightsGradientOffset == nil, let reorder = weightStages[2].reorder { move(reorder, dw, io.output(1)) }
            }
        }
    }
}
