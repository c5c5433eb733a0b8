import ModelCompiler

/// Kernels for MaxPool, AveragePool, GlobalAveragePool.
func makePoolingKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    if let kernel = try OneDNNPoolingKernel.make(node) { return kernel }
    switch node.op {
    case .globalAveragePool: return try GlobalAveragePoolKernel(binding: node)
    default: return try WindowPoolKernel(binding: node)
    }
}

/// MaxPool and AveragePool over 2-D windows, float32 (ONNX MaxPool-12, AveragePool-11).
///
/// X [N,C,H,W] → Y [N,C,OH,OW]; window (oh, ow) covers input rows oh·stride − pad_begin +
/// kh·dilation (likewise columns). MaxPool treats padding as −∞ and may also write Indices
/// (INT64): the flat index into X of each maximum, over the whole tensor including the N and C
/// offsets, row-major within the image (storage_order 0) or column-major (1); ties keep the
/// first element in window order. AveragePool clips each window to the padded input (with
/// ceil_mode a window may run past it) and divides by the clipped window's size when
/// count_include_pad = 1, or by its count of real input elements when 0.
struct WindowPoolKernel: Kernel {
    enum Reduction: Sendable { case max, average(includePad: Bool) }

    let reduction: Reduction
    /// Images: N·C.
    let planes: Int
    let height: Int
    let width: Int
    let rows: WindowAxis
    let columns: WindowAxis
    let columnMajorIndices: Bool
    /// A 2×2 window with stride 2, no padding, no dilation and every window inside the input:
    /// the common CNN downsampling, which `run` computes without per-tap bounds checks.
    let isPlainTwoByTwo: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        try requireTwoSpatialAxes(node)
        let x = node.shape(0)
        let y = node.outputShapes[0]
        let attributes = try node.decode(PoolAttributes.init)
        guard let kernel = attributes.window.kernelShape else { throw node.error("kernel_shape is required") }
        guard y.count == 4, y[0] == x[0], y[1] == x[1] else {
            throw node.error("Y \(y) does not match X \(x) in N and C")
        }
        let isMax = node.op == .maxPool
        let axes = try WindowAxis.forward(
            node, kernel: kernel, input: Array(x[2...]), output: Array(y[2...]), dilations: isMax)
        (rows, columns) = (axes[0], axes[1])
        isPlainTwoByTwo = axes.allSatisfy { axis in
            axis.kernel == 2 && axis.stride == 2 && axis.dilation == 1 && axis.padBegin == 0
                && 2 * axis.strided <= axis.dense
        }
        reduction = isMax ? .max : .average(includePad: attributes.countIncludePad)
        planes = x[0] * x[1]
        (height, width) = (x[2], x[3])
        columnMajorIndices = attributes.columnMajorIndices
        // An omitted Indices output is bound as [] (N·C·OH·OW is never 0-rank).
        if node.outputShapes.count > 1, !node.outputShapes[1].isEmpty, node.outputTypes[1] != .int64 {
            throw node.error("Indices must be int64, got \(node.outputTypes[1])")
        }
    }

    func run(_ io: KernelIO) {
        if case .max = reduction, io.output(1) == nil, isPlainTwoByTwo {
            maximumTwoByTwo(io.floats(0), io.outputFloats(0))
            return
        }
        switch reduction {
        case .max:
            maximum(io.floats(0), io.outputFloats(0), indices: io.output(1)?.assumingMemoryBound(to: Int64.self))
        case .average(let includePad): average(io.floats(0), io.outputFloats(0), includePad: includePad)
        }
    }

    private func maximum(
        _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int64>?
    ) {
        let (outputHeight, outputWidth) = (rows.strided, columns.strided)
        let inputPlane = height * width
        var out = 0
        for plane in 0..<planes {
            let input = x + plane * inputPlane
            for oh in 0..<outputHeight {
                for ow in 0..<outputWidth {
                    // A window wholly in the padding has no element: −∞ and index −1.
                    let (bestRow, bestColumn) = firstMaximum(input, oh: oh, ow: ow) ?? (-1, -1)
                    let best = bestRow < 0 ? -Float.infinity : input[bestRow * width + bestColumn]
                    y[out] = best
                    if let indices {
                        let within = columnMajorIndices ? bestColumn * height + bestRow : bestRow * width + bestColumn
                        indices[out] = bestRow < 0 ? -1 : Int64(plane * inputPlane + within)
                    }
                    out += 1
                }
            }
        }
    }

    /// Row and column of the first maximum of window (oh, ow) in one input plane, in window
    /// order (rows, then columns); a later element wins only when strictly greater. Nil when
    /// the window lies wholly in the padding. Shared by MaxPool and its gradient.
    @inline(__always)
    func firstMaximum(_ input: UnsafePointer<Float>, oh: Int, ow: Int) -> (row: Int, column: Int)? {
        let top = oh * rows.stride - rows.padBegin
        let left = ow * columns.stride - columns.padBegin
        var best = -Float.infinity
        var found: (row: Int, column: Int)?
        for kh in 0..<rows.kernel {
            let ih = top + kh * rows.dilation
            guard ih >= 0 && ih < height else { continue }
            for kw in 0..<columns.kernel {
                let iw = left + kw * columns.dilation
                guard iw >= 0 && iw < width else { continue }
                let value = input[ih * width + iw]
                if found == nil || value > best { (best, found) = (value, (ih, iw)) }
            }
        }
        return found
    }

    /// Window (oh, ow) of AveragePool clipped to the padded input, then to the input itself:
    /// its input rows and columns, and the divisor (the clipped window's size with
    /// count_include_pad, else its count of real elements). Shared by AveragePool and its gradient.
    @inline(__always)
    func averageWindow(oh: Int, ow: Int, includePad: Bool) -> (rows: Range<Int>, columns: Range<Int>, divisor: Int) {
        let top = oh * rows.stride - rows.padBegin
        let bottom = min(top + rows.kernel, height + rows.padEnd)
        let left = ow * columns.stride - columns.padBegin
        let right = min(left + columns.kernel, width + columns.padEnd)
        let rowRange = max(top, 0)..<max(max(top, 0), min(bottom, height))
        let columnRange = max(left, 0)..<max(max(left, 0), min(right, width))
        let divisor = includePad ? (bottom - top) * (right - left) : rowRange.count * columnRange.count
        return (rowRange, columnRange, divisor)
    }

    /// MaxPool 2×2 stride 2 (see `isPlainTwoByTwo`): the maximum of four elements, the same
    /// value the general loop finds (max is exact, so the order of comparisons cannot matter).
    private func maximumTwoByTwo(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let (outputHeight, outputWidth) = (rows.strided, columns.strided)
        var out = y
        for plane in 0..<planes {
            let input = x + plane * height * width
            for oh in 0..<outputHeight {
                let top = input + 2 * oh * width
                let bottom = top + width
                for ow in 0..<outputWidth {
                    out[ow] = Swift.max(
                        Swift.max(top[2 * ow], top[2 * ow + 1]), Swift.max(bottom[2 * ow], bottom[2 * ow + 1]))
                }
                out += outputWidth
            }
        }
    }

    private func average(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, includePad: Bool) {
        let inputPlane = height * width
        var out = 0
        for plane in 0..<planes {
            let input = x + plane * inputPlane
            for oh in 0..<rows.strided {
                for ow in 0..<columns.strided {
                    let window = averageWindow(oh: oh, ow: ow, includePad: includePad)
                    var sum: Float = 0
                    for ih in window.rows {
                        for iw in window.columns { sum += input[ih * width + iw] }
                    }
                    y[out] = window.divisor > 0 ? sum / Float(window.divisor) : 0
                    out += 1
                }
            }
        }
    }
}

/// GlobalAveragePool: X [N,C,d...] → Y [N,C,1...], the mean over all spatial elements
/// (ONNX GlobalAveragePool-1); any spatial rank.
struct GlobalAveragePoolKernel: Kernel {
    let planes: Int
    let extent: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let x = node.shape(0)
        guard x.count >= 3 else { throw node.error("X must be [N,C,spatial...], got \(x)") }
        planes = x[0] * x[1]
        extent = x.dropFirst(2).reduce(1, *)
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        let y = io.outputFloats(0)
        let scale = extent > 0 ? 1 / Float(extent) : 0
        for plane in 0..<planes {
            let input = x + plane * extent
            var sum: Float = 0
            for i in 0..<extent { sum += input[i] }
            y[plane] = sum * scale
        }
    }
}
