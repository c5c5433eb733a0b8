import ModelCompiler

/// Kernels for Conv, ConvTranspose, FusedConv (float32). Conv and FusedConv run as oneDNN
/// convolutions (1 to 3 spatial axes); ConvTranspose runs here (2-D, col2im).
func makeConvolutionKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    switch node.op {
    case .convTranspose: return try ConvTransposeKernel(binding: node)
    default: return try OneDNNConvolutionKernel(binding: node)
    }
}

/// One spatial axis of a sliding window, with padding resolved (auto_pad applied).
///
/// Position `o` of the strided side and tap `k` meet element `o·stride − padBegin + k·dilation`
/// of the dense side; `taps(k)` is the range of `o` for which that element exists.
struct WindowAxis: Sendable, Equatable {
    let kernel: Int
    let stride: Int
    let dilation: Int
    let padBegin: Int
    let padEnd: Int
    /// Extent of the dense side (Conv and pool input, ConvTranspose output).
    let dense: Int
    /// Extent of the strided side (Conv and pool output, ConvTranspose input).
    let strided: Int

    /// The positions `o` in 0..<strided whose tap `k` lands inside 0..<dense.
    func taps(_ k: Int) -> Range<Int> {
        let offset = padBegin - k * dilation
        let lower = Swift.max(0, WindowAxis.ceilDivide(offset, stride))
        let upper = Swift.min(strided, WindowAxis.ceilDivide(dense + offset, stride))
        return lower..<Swift.max(lower, upper)
    }

    /// col2im over two window axes: for each of `planes` planes, column row (plane, kh, kw)
    /// holds one value per strided position (oh, ow); each is added into the dense-side
    /// element that tap meets (taps in the padding drop). The inverse of im2col, shared by
    /// ConvTranspose's output and Conv's input gradient.
    static func fold(
        _ columns: UnsafePointer<Float>, into dense: UnsafeMutablePointer<Float>, planes: Int, rows: WindowAxis,
        columns columnAxis: WindowAxis, rowTaps: [Range<Int>], columnTaps: [Range<Int>]
    ) {
        let stridedWidth = columnAxis.strided
        let stridedPlane = rows.strided * stridedWidth
        let denseWidth = columnAxis.dense
        var source = columns
        for plane in 0..<planes {
            let target = dense + plane * rows.dense * denseWidth
            for kh in 0..<rows.kernel {
                for kw in 0..<columnAxis.kernel {
                    let columnOffset = kw * columnAxis.dilation - columnAxis.padBegin
                    let valid = columnTaps[kw]
                    for oh in rowTaps[kh] {
                        let row = target + (oh * rows.stride - rows.padBegin + kh * rows.dilation) * denseWidth
                        let values = source + oh * stridedWidth
                        for ow in valid { row[ow * columnAxis.stride + columnOffset] += values[ow] }
                    }
                    source += stridedPlane
                }
            }
        }
    }

    /// ⌈a / b⌉ for b > 0 and any sign of a.
    static func ceilDivide(_ a: Int, _ b: Int) -> Int { a >= 0 ? (a + b - 1) / b : -((-a) / b) }

    /// The two spatial axes of a Conv or pool node over input `input` [H, W] and output
    /// `output` [OH, OW], with pads from `pads` or `auto_pad` (ONNX Conv-11 / MaxPool-12):
    /// SAME pads total max(0, (out−1)·stride + (k−1)·dilation + 1 − in), the odd one at the end
    /// for SAME_UPPER and at the beginning for SAME_LOWER.
    static func forward(
        _ node: BoundNode, kernel: [Int], input: [Int], output: [Int], dilations allowDilations: Bool = true
    ) throws(RuntimeError) -> [WindowAxis] {
        let attributes = try node.window(kernel: kernel)
        guard allowDilations || attributes.dilations == [1, 1] else {
            throw node.error("dilations \(attributes.dilations) are not supported by this op")
        }
        return (0..<2).map { axis in
            let effective = (kernel[axis] - 1) * attributes.dilations[axis] + 1
            var begin = attributes.pads[axis]
            var end = attributes.pads[axis + 2]
            switch attributes.autoPad {
            case .valid:
                (begin, end) = (0, 0)
            case .sameUpper, .sameLower:
                let total = Swift.max(0, (output[axis] - 1) * attributes.strides[axis] + effective - input[axis])
                begin = attributes.autoPad == .sameUpper ? total / 2 : total - total / 2
                end = total - begin
            case .notSet:
                break
            }
            return WindowAxis(
                kernel: kernel[axis], stride: attributes.strides[axis], dilation: attributes.dilations[axis],
                padBegin: begin, padEnd: end, dense: input[axis], strided: output[axis])
        }
    }
}

extension BoundNode {
    /// The node's 2-D window attributes, decoded and checked by `WindowAttributes` (the
    /// decoder the checker and the shape rule use).
    func window(kernel: [Int]) throws(RuntimeError) -> ResolvedWindow {
        try decode { (attributes: Attributes) throws(AttributeError) -> ResolvedWindow in
            try WindowAttributes(attributes).resolved(spatialRank: 2, kernel: kernel)
        }
    }
}

/// Throws unless input 0 is [N, C, H, W] (this runtime executes 2-D windows only).
func requireTwoSpatialAxes(_ node: BoundNode) throws(RuntimeError) {
    let x = node.shape(0)
    guard x.count == 4 else {
        let spatial = max(0, x.count - 2)
        throw node.error(
            "only 2-D windows are supported, but X \(x) has \(spatial) spatial \(spatial == 1 ? "axis" : "axes"); "
                + "expected [N,C,H,W]")
    }
}

/// The im2col form of Conv: Y = act(X ⊛ W + B) with groups (ONNX Conv-11). Inference runs
/// Conv on oneDNN (`OneDNNConvolutionKernel`); this geometry and its unfolding serve the
/// training gradient (`ConvGradKernel`).
///
/// X [N,C,H,W], W [M,C/group,KH,KW], B [M] → Y [N,M,OH,OW]. Per (sample, group) the input is
/// unfolded (im2col) into columns [C/group·KH·KW, OH·OW] and one sgemm computes
/// Y_g [M/group, OH·OW] = W_g [M/group, C/group·KH·KW] · columns. A 1×1, stride-1, unpadded
/// convolution skips the unfolding: X_g is already the column matrix. Bias is written into Y
/// first and sgemm accumulates onto it (beta = 1); the fused activation runs over Y last.
struct ConvKernel: Kernel {
    let batch: Int
    let channels: Int
    let filters: Int
    let groups: Int
    let height: Int
    let width: Int
    let rows: WindowAxis
    let columns: WindowAxis
    let hasBias: Bool
    /// True when X_g can serve as the column matrix directly (1×1, stride 1, no pads).
    let pointwise: Bool
    /// True when the column matrix is built "wide" (stride 1, no pads; see `unfoldWide`).
    let wide: Bool
    let activation: Pointwise
    /// For each tap (KH, then KW), the output rows/columns it reaches inside the input.
    let rowTaps: [Range<Int>]
    let columnTaps: [Range<Int>]

    var channelsPerGroup: Int { channels / groups }
    var filtersPerGroup: Int { filters / groups }
    /// Rows of the column matrix: C/group·KH·KW.
    var depth: Int { channelsPerGroup * rows.kernel * columns.kernel }
    /// The im2col buffer: depth × output plane floats (none for the pointwise path); the wide
    /// path adds the wide product, filters per group × wide plane.
    var scratchByteCount: Int {
        if pointwise { return 0 }
        if wide { return (depth + filtersPerGroup) * widePlane * MemoryLayout<Float>.size }
        return depth * outputPlane * MemoryLayout<Float>.size
    }
    var outputPlane: Int { rows.strided * columns.strided }
    /// Output rows × the full input width: the plane of the wide path's product.
    var widePlane: Int { rows.strided * width }

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        try requireTwoSpatialAxes(node)
        let x = node.shape(0)
        let w = node.shape(1)
        let y = node.outputShapes[0]
        guard w.count == 4, y.count == 4 else {
            throw node.error("W must be [M,C/group,KH,KW] and Y 4-D: W is \(w), Y is \(y)")
        }
        groups = try node.decode(ConvAttributes.init).group
        (batch, channels, height, width) = (x[0], x[1], x[2], x[3])
        filters = w[0]
        guard channels % groups == 0, filters % groups == 0, w[1] == channels / groups,
            y[0] == batch, y[1] == filters
        else {
            throw node.error("X \(x), W \(w) and Y \(y) do not agree for group \(groups)")
        }
        let kernel = Array(w[2...])
        if let declared = node.attributes.ints("kernel_shape"), declared != kernel {
            throw node.error("kernel_shape \(declared) disagrees with W \(w)")
        }
        let axes = try WindowAxis.forward(node, kernel: kernel, input: [height, width], output: Array(y[2...]))
        (rows, columns) = (axes[0], axes[1])
        hasBias = node.has(2)
        if hasBias, node.shape(2) != [filters] {
            throw node.error("B must be [\(filters)], got \(node.shape(2))")
        }
        let unitStrideUnpadded =
            rows.stride == 1 && columns.stride == 1
            && [rows.padBegin, rows.padEnd, columns.padBegin, columns.padEnd] == [0, 0, 0, 0]
        pointwise =
            kernel == [1, 1] && unitStrideUnpadded && rows.strided == height && columns.strided == width
        // The wide product computes `width` columns per output row to keep `columns.strided`;
        // worth it while the extra columns cost less than the per-row copies they save.
        wide = !pointwise && unitStrideUnpadded && width <= 2 * columns.strided
        activation = try node.fusedActivation()
        rowTaps = (0..<rows.kernel).map(rows.taps)
        columnTaps = (0..<columns.kernel).map(columns.taps)
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        let w = io.floats(1)
        let y = io.outputFloats(0)
        let plane = outputPlane
        if wide {
            if let scratch = io.scratch?.assumingMemoryBound(to: Float.self) {
                runWide(x: x, w: w, bias: hasBias ? io.floats(2) : nil, y: y, scratch: scratch, threads: io.threads)
            }
            return
        }
        if hasBias {
            let b = io.floats(2)
            for image in 0..<batch {
                for filter in 0..<filters {
                    (y + (image * filters + filter) * plane).update(repeating: b[filter], count: plane)
                }
            }
        }
        let beta: Float = hasBias ? 1 : 0
        let inputPlane = height * width
        if pointwise {
            for image in 0..<batch {
                for group in 0..<groups {
                    multiply(
                        w: w, group: group, columns: x + (image * channels + group * channelsPerGroup) * inputPlane,
                        y: y + (image * filters + group * filtersPerGroup) * plane, beta: beta, threads: io.threads)
                }
            }
        } else {
            // The column buffer is the arena's scratch region (scratchByteCount), so run allocates nothing.
            if let scratch = io.scratch?.assumingMemoryBound(to: Float.self) {
                for image in 0..<batch {
                    for group in 0..<groups {
                        unfold(x + (image * channels + group * channelsPerGroup) * inputPlane, into: scratch)
                        multiply(
                            w: w, group: group, columns: UnsafePointer(scratch),
                            y: y + (image * filters + group * filtersPerGroup) * plane, beta: beta, threads: io.threads)
                    }
                }
            }
        }
        if case .identity = activation { return }
        activation.apply(y, y, count: batch * filters * plane)
    }

    /// The wide path: for stride 1 and no padding, the column row of tap (c, kh, kw) over the
    /// positions (oh, w) for every input column w — not only the OW valid ones — is one
    /// contiguous slice of X_g (`unfoldWide`), so the unfolding is KH·KW copies per channel
    /// instead of KH·KW·OH short ones. The product W_g · columns [M/group, OH·W] lands in
    /// scratch, and one pass keeps the valid columns, adds the bias and applies a fused ReLU.
    private func runWide(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>,
        scratch: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let plane = outputPlane
        let inputPlane = height * width
        let outputWidth = columns.strided
        let product = scratch + depth * widePlane
        let relu: Bool
        if case .relu = activation { relu = true } else { relu = false }
        for image in 0..<batch {
            for group in 0..<groups {
                unfoldWide(x + (image * channels + group * channelsPerGroup) * inputPlane, into: scratch)
                MatrixProduct.sgemm(
                    transposeA: false, transposeB: false, m: filtersPerGroup, n: widePlane, k: depth, alpha: 1,
                    a: w + group * filtersPerGroup * depth, b: UnsafePointer(scratch), beta: 0, c: product,
                    threads: threads)
                let output = y + (image * filters + group * filtersPerGroup) * plane
                for filter in 0..<filtersPerGroup {
                    let shift = bias?[group * filtersPerGroup + filter] ?? 0
                    for row in 0..<rows.strided {
                        let source = product + filter * widePlane + row * width
                        let target = output + filter * plane + row * outputWidth
                        if relu {
                            for column in 0..<outputWidth { target[column] = Swift.max(source[column] + shift, 0) }
                        } else {
                            for column in 0..<outputWidth { target[column] = source[column] + shift }
                        }
                    }
                }
                if !relu { activation.apply(output, output, count: filtersPerGroup * plane) }
            }
        }
    }

    /// The wide im2col: column row (c, kh, kw) holds X_g[c] from element kh·dilation·W +
    /// kw·dilation on, OH·W elements (zeros past the end of the plane). Entry (oh, ow) for
    /// ow < OW is the input element that tap meets; the entries for ow ≥ OW are discarded.
    func unfoldWide(_ x: UnsafePointer<Float>, into buffer: UnsafeMutablePointer<Float>) {
        let plane = widePlane
        let inputPlane = height * width
        var destination = buffer
        for channel in 0..<channelsPerGroup {
            let input = x + channel * inputPlane
            for kh in 0..<rows.kernel {
                for kw in 0..<columns.kernel {
                    let start = kh * rows.dilation * width + kw * columns.dilation
                    let available = Swift.min(plane, inputPlane - start)
                    destination.update(from: input + start, count: available)
                    if available < plane { (destination + available).update(repeating: 0, count: plane - available) }
                    destination += plane
                }
            }
        }
    }

    /// Y_g = W_g · columns (+ Y_g when beta = 1).
    @inline(__always)
    private func multiply(
        w: UnsafePointer<Float>, group: Int, columns: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, beta: Float,
        threads: Int
    ) {
        MatrixProduct.sgemm(
            transposeA: false, transposeB: false, m: filtersPerGroup, n: outputPlane, k: depth, alpha: 1,
            a: w + group * filtersPerGroup * depth, b: columns, beta: beta, c: y, threads: threads)
    }

    /// im2col: column row (c, kh, kw) holds, for every output position (oh, ow), the input
    /// element that tap meets, or 0 where it falls in the padding.
    func unfold(_ x: UnsafePointer<Float>, into columnsBuffer: UnsafeMutablePointer<Float>) {
        let (outputHeight, outputWidth) = (rows.strided, columns.strided)
        let plane = outputPlane
        var destination = columnsBuffer
        for channel in 0..<channelsPerGroup {
            let input = x + channel * height * width
            for kh in 0..<rows.kernel {
                let validRows = rowTaps[kh]
                for kw in 0..<columns.kernel {
                    let valid = columnTaps[kw]
                    let columnOffset = kw * columns.dilation - columns.padBegin
                    for oh in 0..<outputHeight {
                        let out = destination + oh * outputWidth
                        guard validRows.contains(oh) else {
                            out.update(repeating: 0, count: outputWidth)
                            continue
                        }
                        let row = input + (oh * rows.stride - rows.padBegin + kh * rows.dilation) * width
                        if valid.lowerBound > 0 { out.update(repeating: 0, count: valid.lowerBound) }
                        if columns.stride == 1 {
                            (out + valid.lowerBound).update(
                                from: row + (valid.lowerBound + columnOffset), count: valid.count)
                        } else {
                            for ow in valid { out[ow] = row[ow * columns.stride + columnOffset] }
                        }
                        if valid.upperBound < outputWidth {
                            (out + valid.upperBound).update(repeating: 0, count: outputWidth - valid.upperBound)
                        }
                    }
                    destination += plane
                }
            }
        }
    }
}

/// ConvTranspose: the gradient of Conv with respect to its input, used as upsampling
/// (ONNX ConvTranspose-11).
///
/// X [N,C,H,W], W [C,M/group,KH,KW], B [M] → Y [N,M,OH,OW]. Per (sample, group) one sgemm
/// computes columns [M/group·KH·KW, H·W] = W_gᵀ · X_g, and col2im scatters each column entry
/// into Y at oh = ih·stride − pad_begin + kh·dilation (likewise for ow), skipping positions
/// outside Y. Pads come from `pads`, or, when `output_shape` is given (pads then ignored) or
/// auto_pad is SAME_*, from total = stride·(in−1) + output_padding + (k−1)·dilation + 1 − out,
/// clamped at 0: the odd one at the end for SAME_UPPER and at the beginning otherwise.
struct ConvTransposeKernel: Kernel {
    let batch: Int
    let channels: Int
    let filters: Int
    let groups: Int
    let height: Int
    let width: Int
    /// Dense side: Y; strided side: X.
    let rows: WindowAxis
    let columns: WindowAxis
    let hasBias: Bool
    let rowTaps: [Range<Int>]
    let columnTaps: [Range<Int>]

    var channelsPerGroup: Int { channels / groups }
    var filtersPerGroup: Int { filters / groups }
    var depth: Int { filtersPerGroup * rows.kernel * columns.kernel }
    /// The column buffer: depth × input plane floats.
    var scratchByteCount: Int { depth * height * width * MemoryLayout<Float>.size }

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        try requireTwoSpatialAxes(node)
        let x = node.shape(0)
        let w = node.shape(1)
        let y = node.outputShapes[0]
        guard w.count == 4, y.count == 4 else {
            throw node.error("W must be [C,M/group,KH,KW] and Y 4-D: W is \(w), Y is \(y)")
        }
        let convolution = try node.decode(ConvAttributes.init)
        groups = convolution.group
        (batch, channels, height, width) = (x[0], x[1], x[2], x[3])
        filters = w[1] * groups
        guard channels % groups == 0, w[0] == channels, y[0] == batch, y[1] == filters else {
            throw node.error("X \(x), W \(w) and Y \(y) do not agree for group \(groups)")
        }
        let kernel = Array(w[2...])
        if let declared = node.attributes.ints("kernel_shape"), declared != kernel {
            throw node.error("kernel_shape \(declared) disagrees with W \(w)")
        }
        let attributes = try node.window(kernel: kernel)
        let outputPadding = convolution.outputPadding ?? [0, 0]
        guard outputPadding.count == 2 else {
            throw node.error("output_padding \(outputPadding) must be 2 values >= 0")
        }
        let explicitShape = node.attributes.has("output_shape")
        let output = Array(y[2...])
        let axes = (0..<2).map { axis in
            var begin = attributes.pads[axis]
            var end = attributes.pads[axis + 2]
            if explicitShape || attributes.autoPad == .sameUpper || attributes.autoPad == .sameLower {
                let full =
                    attributes.strides[axis] * (x[axis + 2] - 1) + outputPadding[axis]
                    + (kernel[axis] - 1) * attributes.dilations[axis] + 1
                let total = max(0, full - output[axis])
                begin = attributes.autoPad == .sameUpper ? total / 2 : total - total / 2
                end = total - begin
            } else if attributes.autoPad == .valid {
                (begin, end) = (0, 0)
            }
            return WindowAxis(
                kernel: kernel[axis], stride: attributes.strides[axis], dilation: attributes.dilations[axis],
                padBegin: begin, padEnd: end, dense: output[axis], strided: x[axis + 2])
        }
        (rows, columns) = (axes[0], axes[1])
        hasBias = node.has(2)
        if hasBias, node.shape(2) != [filters] {
            throw node.error("B must be [\(filters)], got \(node.shape(2))")
        }
        rowTaps = (0..<rows.kernel).map(rows.taps)
        columnTaps = (0..<columns.kernel).map(columns.taps)
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        let w = io.floats(1)
        let y = io.outputFloats(0)
        let outputPlane = rows.dense * columns.dense
        let inputPlane = height * width
        if hasBias {
            let b = io.floats(2)
            for image in 0..<batch {
                for filter in 0..<filters {
                    (y + (image * filters + filter) * outputPlane).update(repeating: b[filter], count: outputPlane)
                }
            }
        } else {
            y.update(repeating: 0, count: batch * filters * outputPlane)
        }
        // The column buffer is the arena's scratch region (scratchByteCount), so run allocates nothing.
        if let scratch = io.scratch?.assumingMemoryBound(to: Float.self) {
            for image in 0..<batch {
                for group in 0..<groups {
                    // W_g is [C/group, M/group·KH·KW] row-major; transposed it maps X_g to columns.
                    MatrixProduct.sgemm(
                        transposeA: true, transposeB: false, m: depth, n: inputPlane, k: channelsPerGroup, alpha: 1,
                        a: w + group * channelsPerGroup * depth,
                        b: x + (image * channels + group * channelsPerGroup) * inputPlane, beta: 0, c: scratch,
                        threads: io.threads)
                    fold(scratch, into: y + (image * filters + group * filtersPerGroup) * outputPlane)
                }
            }
        }
    }

    /// col2im: adds column row (m, kh, kw), entry (ih, iw), into Y_g[m, oh, ow].
    private func fold(_ columnsBuffer: UnsafeMutablePointer<Float>, into y: UnsafeMutablePointer<Float>) {
        WindowAxis.fold(
            UnsafePointer(columnsBuffer), into: y, planes: filtersPerGroup, rows: rows, columns: columns,
            rowTaps: rowTaps, columnTaps: columnTaps)
    }
}
