import ModelFormat

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
        // Decoded by the same structs the kernels bind with (Ops/Attributes).
        let window = try context.decode { (attributes: Attributes) throws(AttributeError) -> ResolvedWindow in
            try WindowAttributes(attributes).resolved(spatialRank: spatialRank, kernel: kernel)
        }
        self.kernel = window.kernel
        strides = window.strides
        dilations = window.dilations
        pads = window.pads
        autoPad = window.autoPad.rawValue
        ceilMode = try context.decode { (attributes: Attributes) throws(AttributeError) -> Bool in
            try attributes.flag("ceil_mode", default: false)
        }
    }

    /// Output extent of spatial axis `axis` for input extent `input` (ONNX Conv/Pool formulas).
    func output(_ input: Dim, axis: Int) throws(ShapeError) -> Dim {
        guard let size = input.fixedValue else { return .unknown }
        // Attributes are at most 2^31 − 1 (WindowAttributes), so the window is below 2^62; the
        // dim comes from the file and may be anything, hence the checked sums.
        let effective = dilations[axis] * (kernel[axis] - 1) + 1
        let stride = strides[axis]
        let overflow = ShapeError(
            "too-large", "spatial axis \(axis) of \(size) elements with pads \(pads) overflows a 64-bit size")
        switch autoPad {
        case "SAME_UPPER", "SAME_LOWER":
            guard let rounded = Shape.checkedSum(size, stride - 1) else { throw overflow }
            return .fixed(rounded / stride)
        case "VALID":
            guard size >= effective else { throw tooSmall(size, effective, axis) }
            return .fixed((size - effective) / stride + 1)
        default:
            let begin = Shape.checkedSum(size, pads[axis])
            guard let padded = begin.flatMap({ Shape.checkedSum($0, pads[axis + kernel.count]) }) else {
                throw overflow
            }
            guard padded >= effective else { throw tooSmall(padded, effective, axis) }
            let span = padded - effective
            var count = (ceilMode ? (span / stride + (span % stride == 0 ? 0 : 1)) : span / stride) + 1
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
    let group = try context.decode(ConvAttributes.init).group
    if let channels = x[1].fixedValue, let perGroup = w[1].fixedValue,
        channels != Shape.checkedProduct(perGroup, group)
    {
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
    let attributes = try context.decode(ConvAttributes.init)
    let group = attributes.group
    let spatial = x.count - 2
    let kernel = context.attributes.ints("kernel_shape") ?? w.dropFirst(2).map { $0.fixedValue ?? 1 }
    let geometry = try WindowGeometry(context, spatialRank: spatial, kernel: kernel)
    let outputPadding = attributes.outputPadding ?? Array(repeating: 0, count: spatial)
    guard outputPadding.count == spatial else {
        throw ShapeError("attribute-value", "output_padding \(outputPadding) must have \(spatial) entries")
    }
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
            // The dim comes from the file: every step that involves it is checked.
            let stride = geometry.strides[axis]
            let window = outputPadding[axis] + (kernel[axis] - 1) * geometry.dilations[axis] + 1
            let pads = geometry.autoPad == "NOTSET" ? geometry.pads[axis] + geometry.pads[axis + spatial] : 0
            let same = geometry.autoPad.hasPrefix("SAME")
            guard let strided = Shape.checkedProduct(stride, same ? size : size - 1),
                let full = Shape.checkedSum(strided, same ? 0 : window)
            else {
                throw ShapeError(
                    "too-large", "spatial axis \(axis) of \(size) elements × stride \(stride) overflows a 64-bit size")
            }
            let extent = same ? full : full - pads
            guard extent > 0 else { throw ShapeError("output-shape", "spatial axis \(axis) would have \(extent) elements") }
            dims.append(.fixed(extent))
        }
    }
    return [TensorType(typeX.dataType, dims)]
}
