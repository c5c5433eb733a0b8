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
