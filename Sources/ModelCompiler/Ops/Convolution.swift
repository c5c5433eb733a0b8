// 2-D convolution and its transpose (ONNX semantics; N-D attributes accepted, 2-D executed).

extension OpSchema {
    static let conv = OpSchema(
        type: .conv, summary: "Y = X (*) W + B over spatial axes, with groups (ONNX Conv-11)",
        inputs: [Port("X"), Port("W"), Port("B", optional: true)], outputs: [Port("Y")],
        attributes: [
            .string("auto_pad", "NOTSET"), .optional("dilations", .ints), .int("group", 1),
            .optional("kernel_shape", .ints), .optional("pads", .ints), .optional("strides", .ints),
        ],
        inferTypes: inferConv)
    static let convTranspose = OpSchema(
        type: .convTranspose, summary: "gradient-of-Conv upsampling (ONNX ConvTranspose-11)",
        inputs: [Port("X"), Port("W"), Port("B", optional: true)], outputs: [Port("Y")],
        attributes: [
            .string("auto_pad", "NOTSET"), .optional("dilations", .ints), .int("group", 1),
            .optional("kernel_shape", .ints), .optional("output_padding", .ints), .optional("output_shape", .ints),
            .optional("pads", .ints), .optional("strides", .ints),
        ],
        inferTypes: inferConvTranspose)
}

/// Sliding-window geometry shared by Conv and the pools: kernel, strides, dilations, pads.
struct WindowGeometry {
    var kernel: [Int]
    var strides: [Int]
    var dilations: [Int]
    /// Begin pads then end pads, ONNX order.
    var pads: [Int]
    var autoPad: String
    var ceilMode: Bool

    init(_ context: InferenceContext, spatialRank: Int, kernel: [Int]) throws(ShapeError) {
        self.kernel = kernel
        strides = context.attributes.ints("strides") ?? Array(repeating: 1, count: spatialRank)
        dilations = context.attributes.ints("dilations") ?? Array(repeating: 1, count: spatialRank)
        pads = context.attributes.ints("pads") ?? Array(repeating: 0, count: 2 * spatialRank)
        autoPad = context.attributes.string("auto_pad", default: "NOTSET")
        ceilMode = context.attributes.int("ceil_mode", default: 0) == 1
        guard kernel.count == spatialRank, strides.count == spatialRank, dilations.count == spatialRank,
            pads.count == 2 * spatialRank
        else {
            throw ShapeError(
                "window-rank",
                "kernel_shape \(kernel), strides \(strides), dilations \(dilations) and pads \(pads) must cover "
                    + "\(spatialRank) spatial axes (pads twice)")
        }
        guard (kernel + strides + dilations).allSatisfy({ $0 >= 1 }), pads.allSatisfy({ $0 >= 0 }) else {
            throw ShapeError("window-values", "kernel, strides and dilations must be >= 1 and pads >= 0")
        }
        guard ["NOTSET", "VALID", "SAME_UPPER", "SAME_LOWER"].contains(autoPad) else {
            throw ShapeError("auto-pad", "auto_pad '\(autoPad)' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER")
        }
    }

    /// Output extent of spatial axis `axis` for input extent `input` (ONNX Conv/Pool formulas).
    func output(_ input: Dim, axis: Int) throws(ShapeError) -> Dim {
        guard let size = input.fixedValue else { return .unknown }
        let effective = dilations[axis] * (kernel[axis] - 1) + 1
        let stride = strides[axis]
        switch autoPad {
        case "SAME_UPPER", "SAME_LOWER":
            return .fixed((size + stride - 1) / stride)
        case "VALID":
            guard size >= effective else { throw tooSmall(size, effective, axis) }
            return .fixed((size - effective) / stride + 1)
        default:
            let padded = size + pads[axis] + pads[axis + kernel.count]
            guard padded >= effective else { throw tooSmall(padded, effective, axis) }
            let span = padded - effective
            var count = (ceilMode ? (span + stride - 1) / stride : span / stride) + 1
            // ceil_mode: a last window that would start inside the end padding is dropped (ONNX, ORT).
            if ceilMode && (count - 1) * stride >= size + pads[axis] { count -= 1 }
            return .fixed(count)
        }
    }

    private func tooSmall(_ size: Int, _ window: Int, _ axis: Int) -> ShapeError {
        ShapeError("window-too-large", "spatial axis \(axis) has \(size) (padded) elements, fewer than the window of \(window)")
    }
}

/// Conv: X [N,C,d...], W [M,C/group,k...], B [M] → Y [N,M,o...].
func inferConv(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let x = try context.dims(0)
    let w = try context.dims(1)
    let typeX = try context.input(0)
    let typeW = try context.input(1)
    guard x.count >= 3, w.count == x.count else {
        throw ShapeError("rank", "X must be [N,C,spatial...] and W of the same rank: X is \(typeX), W is \(typeW)")
    }
    let group = context.attributes.int("group", default: 1)
    guard group >= 1 else { throw ShapeError("group", "group \(group) must be >= 1") }
    if let channels = x[1].fixedValue, let perGroup = w[1].fixedValue, channels != perGroup * group {
        throw ShapeError(
            "channels", "X has \(channels) channels but W expects \(perGroup) per group × group \(group): X is \(typeX), W is \(typeW)")
    }
    if let filters = w[0].fixedValue, filters % group != 0 {
        throw ShapeError("group", "W's \(filters) filters do not divide into group \(group)")
    }
    let spatial = x.count - 2
    let kernel = context.attributes.ints("kernel_shape") ?? w.dropFirst(2).map { $0.fixedValue ?? 1 }
    if let declared = context.attributes.ints("kernel_shape"), declared != w.dropFirst(2).compactMap(\.fixedValue) {
        throw ShapeError("kernel-shape", "kernel_shape \(declared) disagrees with W \(typeW)")
    }
    let geometry = try WindowGeometry(context, spatialRank: spatial, kernel: kernel)
    if context.hasInput(2) {
        let b = try context.dims(2)
        guard b.count == 1, b[0] == w[0] || b[0] == .unknown || w[0] == .unknown else {
            throw ShapeError("bias", "B must be [\(w[0])], got \(try context.input(2))")
        }
    }
    var dims = [x[0], w[0]]
    for axis in 0..<spatial { dims.append(try geometry.output(x[axis + 2], axis: axis)) }
    return [TensorType(typeX.dataType, dims)]
}

/// ConvTranspose: X [N,C,d...], W [C,M/group,k...] → Y [N,M,o...] with
/// o = stride·(d−1) + output_padding + (k−1)·dilation + 1 − pad_begin − pad_end, or `output_shape`.
func inferConvTranspose(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let x = try context.dims(0)
    let w = try context.dims(1)
    let typeX = try context.input(0)
    guard x.count >= 3, w.count == x.count else {
        throw ShapeError("rank", "X must be [N,C,spatial...] and W of the same rank: X is \(typeX), W is \(try context.input(1))")
    }
    if let channels = x[1].fixedValue, let wChannels = w[0].fixedValue, channels != wChannels {
        throw ShapeError("channels", "X has \(channels) channels but W has \(wChannels) input channels")
    }
    let group = context.attributes.int("group", default: 1)
    let spatial = x.count - 2
    let kernel = context.attributes.ints("kernel_shape") ?? w.dropFirst(2).map { $0.fixedValue ?? 1 }
    let geometry = try WindowGeometry(context, spatialRank: spatial, kernel: kernel)
    let outputPadding = context.attributes.ints("output_padding") ?? Array(repeating: 0, count: spatial)
    var dims = [x[0], w[1] * .fixed(group)]
    if let shape = context.attributes.ints("output_shape") {
        guard shape.count == spatial else { throw ShapeError("output-shape", "output_shape \(shape) must have \(spatial) entries") }
        dims += shape.map { .fixed($0) }
    } else {
        for axis in 0..<spatial {
            guard let size = x[axis + 2].fixedValue else {
                dims.append(.unknown)
                continue
            }
            let full = geometry.strides[axis] * (size - 1) + outputPadding[axis] + (kernel[axis] - 1) * geometry.dilations[axis] + 1
            let pads = geometry.autoPad == "NOTSET" ? geometry.pads[axis] + geometry.pads[axis + spatial] : 0
            let extent = geometry.autoPad.hasPrefix("SAME") ? size * geometry.strides[axis] : full - pads
            guard extent > 0 else { throw ShapeError("output-shape", "spatial axis \(axis) would have \(extent) elements") }
            dims.append(.fixed(extent))
        }
    }
    return [TensorType(typeX.dataType, dims)]
}
