import CDNNL
import ModelCompiler

/// MaxPool (without an Indices output), AveragePool and GlobalAveragePool with 1, 2 or 3
/// spatial axes as a oneDNN pooling (ONNX MaxPool-12, AveragePool-11, GlobalAveragePool-1):
/// strides, dilations, pads, auto_pad, ceil_mode and count_include_pad.
///
/// oneDNN takes the output extent as given and the end pads as whatever makes it consistent,
/// so ceil_mode's extra windows become end padding. That padding is −∞ for MaxPool and
/// excluded from the divisor with count_include_pad = 0, as ONNX says; with
/// count_include_pad = 1, ONNX counts explicit pads but not the ceil_mode overhang, which
/// oneDNN cannot express: such nodes (and MaxPool with Indices) stay on the Swift kernel.
struct OneDNNPoolingKernel: Kernel, ReportsImplementation {
    let pooling: OneDNNPrimitive
    let sourceReorder: OneDNNPrimitive?
    let destinationReorder: OneDNNPrimitive?
    let threads: Int
    let destinationOffset: Int
    let scratchpadOffset: Int
    let scratchByteCount: Int

    var implementations: [String] {
        [sourceReorder, pooling, destinationReorder].compactMap { $0?.implementation }
    }

    /// The oneDNN kernel for `node`, or nil when the node needs what only the Swift kernel does.
    static func make(_ node: BoundNode) throws(RuntimeError) -> OneDNNPoolingKernel? {
        if node.op == .maxPool, node.outputShapes.count > 1 { return nil }
        return try OneDNNPoolingKernel(supported: node)
    }

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let kernel = try OneDNNPoolingKernel.make(node) else {
            throw node.error("oneDNN pooling cannot run this node (Indices output, or ceil_mode with count_include_pad)")
        }
        self = kernel
    }

    private init?(supported node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let x = node.shape(0)
        let y = node.outputShapes[0]
        let spatial = x.count - 2
        guard (1...3).contains(spatial), y.count == x.count, y[0] == x[0], y[1] == x[1] else {
            throw node.error("X \(x) and Y \(y) must be [N,C,…] with 1 to 3 spatial axes and the same N and C")
        }
        let algorithm: dnnl_alg_kind_t
        let kernel: [Int]
        var window: ConvolutionWindow
        switch node.op {
        case .globalAveragePool:
            kernel = Array(x[2...])
            algorithm = dnnl_pooling_avg_exclude_padding
            window = try ConvolutionWindow(node, kernel: kernel, input: kernel, output: Array(y[2...]), global: true)
        default:
            let attributes = try node.decode(PoolAttributes.init)
            guard let declared = attributes.window.kernelShape, declared.count == spatial else {
                throw node.error("kernel_shape must give \(spatial) extents for X \(x)")
            }
            kernel = declared
            window = try ConvolutionWindow(node, kernel: kernel, input: Array(x[2...]), output: Array(y[2...]))
            let includePad = attributes.countIncludePad
            if node.op == .maxPool {
                algorithm = dnnl_pooling_max
            } else {
                algorithm = includePad ? dnnl_pooling_avg_include_padding : dnnl_pooling_avg_exclude_padding
            }
            // The end pads that make oneDNN's floor arithmetic give the declared output.
            var overhang = false
            for axis in 0..<spatial {
                let effective = Int64((kernel[axis] - 1)) * (window.dilations[axis] + 1) + 1
                let end = Int64(y[axis + 2] - 1) * window.strides[axis] + effective - Int64(x[axis + 2])
                    - window.padBegin[axis]
                if end > window.padEnd[axis] { overhang = true }
                window.padEnd[axis] = end
            }
            if overhang && includePad && node.op == .averagePool { return nil }
        }
        let threads = node.threads
        self.threads = threads
        let plainTag = [dnnl_ncw, dnnl_nchw, dnnl_ncdhw][spatial - 1]
        let plainX = OneDNN.plainDescriptor(x, tag: plainTag)
        let plainY = OneDNN.plainDescriptor(y, tag: plainTag)
        // Pooling works in the layout of its source: a blocked one when channels allow it.
        let blockedTag = [dnnl_nCw16c, dnnl_nChw16c, dnnl_nCdhw16c][spatial - 1]
        let source = x[1] % 16 == 0 ? OneDNN.plainDescriptor(x, tag: blockedTag) : plainX
        let anyY = OneDNN.plainDescriptor(y, tag: dnnl_format_tag_any)
        var operation = dnnl_pooling_v2_desc_t()
        let kernelExtents = kernel.map { Int64($0) }
        let status = withUnsafePointer(to: source) { src in
            withUnsafePointer(to: anyY) { dst in
                dnnl_pooling_v2_forward_desc_init(
                    &operation, dnnl_forward_inference, algorithm, src, dst, window.strides, kernelExtents,
                    window.dilations, window.padBegin, window.padEnd)
            }
        }
        guard status == dnnl_success else { return nil }
        let attributes = try OneDNNAttributes(node: node)
        OneDNNThreads.use(threads)
        var descriptor: dnnl_primitive_desc_t?
        guard dnnl_primitive_desc_create(&descriptor, &operation, attributes.handle, OneDNN.engine, nil) == dnnl_success,
            let descriptor
        else { return nil }
        pooling = try OneDNNPrimitive(descriptor: descriptor, arguments: [DNNL_ARG_SRC, DNNL_ARG_DST], node: node)
        let destination = pooling.descriptor(of: DNNL_ARG_DST) ?? plainY
        sourceReorder = OneDNN.same(source, plainX) ? nil : try OneDNN.reorder(from: plainX, to: source, node: node)
        destinationReorder =
            OneDNN.same(destination, plainY) ? nil : try OneDNN.reorder(from: destination, to: plainY, node: node)
        func aligned(_ bytes: Int) -> Int { (bytes + 63) / 64 * 64 }
        destinationOffset = sourceReorder == nil ? 0 : aligned(OneDNN.byteCount(source))
        scratchpadOffset = destinationOffset + (destinationReorder == nil ? 0 : aligned(OneDNN.byteCount(destination)))
        let scratchpad = [pooling, sourceReorder, destinationReorder].compactMap { $0?.scratchpadByteCount }.max() ?? 0
        scratchByteCount = scratchpadOffset + aligned(scratchpad)
    }

    func run(_ io: KernelIO) {
        let scratchpad = io.scratch.map { $0 + scratchpadOffset }
        let x = UnsafeMutableRawPointer(mutating: io.input(0))
        let y = io.output(0)
        withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: 2) { handles in
            var source = x
            if let sourceReorder, let scratch = io.scratch {
                source = scratch
                handles[0] = x
                handles[1] = source
                sourceReorder.execute(UnsafeBufferPointer(handles), scratchpad: scratchpad, threads: threads)
            }
            let destination = destinationReorder != nil ? io.scratch.map { $0 + destinationOffset } : y
            handles[0] = source
            handles[1] = destination
            pooling.execute(UnsafeBufferPointer(handles), scratchpad: scratchpad, threads: threads)
            if let destinationReorder {
                handles[0] = destination
                handles[1] = y
                destinationReorder.execute(UnsafeBufferPointer(handles), scratchpad: scratchpad, threads: threads)
            }
        }
    }
}
