import ModelCompiler

/// PoolGrad: dX of MaxPool (each window's gradient goes to its first maximum, as the forward
/// kernel picks it), AveragePool (spread evenly over the window, with the forward's divisor)
/// or GlobalAveragePool (dY / spatial size everywhere).
struct PoolGradKernel: Kernel {
    enum Pool: Sendable { case max, average(includePad: Bool), global(extent: Int) }

    let pool: Pool
    let planes: Int
    let height: Int
    let width: Int
    let rows: WindowAxis?
    let columns: WindowAxis?
    /// MaxPool 2×2 stride 2 inside the input (`WindowPoolKernel.isPlainTwoByTwo`).
    let plainTwoByTwo: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let dy = node.shape(0)
        let x = node.shape(1)
        let name = node.attributes.string("pool", default: "")
        guard x.count >= 3 else { throw node.error("X must be [N,C,spatial...], got \(x)") }
        planes = x[0] * x[1]
        if name == "GlobalAveragePool" {
            pool = .global(extent: x.dropFirst(2).reduce(1, *))
            (height, width, rows, columns) = (0, 0, nil, nil)
            plainTwoByTwo = false
            return
        }
        guard name == "MaxPool" || name == "AveragePool" else { throw node.error("pool '\(name)' is not a pooling op") }
        let forward = BoundNode(
            name: node.name, op: name == "MaxPool" ? .maxPool : .averagePool, attributes: node.attributes,
            inputShapes: [x], inputTypes: [.float32], outputShapes: [dy], outputTypes: [.float32], constants: [:])
        let kernel = try WindowPoolKernel(binding: forward)
        (height, width, rows, columns) = (kernel.height, kernel.width, kernel.rows, kernel.columns)
        plainTwoByTwo = name == "MaxPool" && kernel.isPlainTwoByTwo
        switch kernel.reduction {
        case .max: pool = .max
        case .average(let includePad): pool = .average(includePad: includePad)
        }
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let x = io.floats(1)
        let dx = io.outputFloats(0)
        if case .global(let extent) = pool {
            let scale = extent > 0 ? 1 / Float(extent) : 0
            for plane in 0..<planes {
                (dx + plane * extent).update(repeating: dy[plane] * scale, count: extent)
            }
            return
        }
        guard let rows, let columns else { return }
        let inputPlane = height * width
        dx.initialize(repeating: 0, count: planes * inputPlane)
        if plainTwoByTwo {
            // The window's first maximum in the forward kernel's order: top-left, top-right,
            // bottom-left, bottom-right, a later one only when strictly greater.
            var gradient = dy
            for plane in 0..<planes {
                let input = x + plane * inputPlane
                let target = dx + plane * inputPlane
                for oh in 0..<rows.strided {
                    let top = 2 * oh * width
                    for ow in 0..<columns.strided {
                        let first = top + 2 * ow
                        var best = first
                        if input[first + 1] > input[best] { best = first + 1 }
                        if input[first + width] > input[best] { best = first + width }
                        if input[first + width + 1] > input[best] { best = first + width + 1 }
                        target[best] += gradient[ow]
                    }
                    gradient += columns.strided
                }
            }
            return
        }
        var out = 0
        for plane in 0..<planes {
            let input = x + plane * inputPlane
            let target = dx + plane * inputPlane
            for oh in 0..<rows.strided {
                let top = oh * rows.stride - rows.padBegin
                for ow in 0..<columns.strided {
                    let left = ow * columns.stride - columns.padBegin
                    let gradient = dy[out]
                    out += 1
                    switch pool {
                    case .max:
                        var best = -Float.infinity
                        var bestIndex = -1
                        for kh in 0..<rows.kernel {
                            let ih = top + kh * rows.dilation
                            guard ih >= 0 && ih < height else { continue }
                            for kw in 0..<columns.kernel {
                                let iw = left + kw * columns.dilation
                                guard iw >= 0 && iw < width else { continue }
                                let value = input[ih * width + iw]
                                if bestIndex < 0 || value > best { (best, bestIndex) = (value, ih * width + iw) }
                            }
                        }
                        if bestIndex >= 0 { target[bestIndex] += gradient }
                    case .average(let includePad):
                        let bottom = min(top + rows.kernel, height + rows.padEnd)
                        let right = min(left + columns.kernel, width + columns.padEnd)
                        let (rowStart, rowEnd) = (max(top, 0), min(bottom, height))
                        let (columnStart, columnEnd) = (max(left, 0), min(right, width))
                        let count = includePad
                            ? (bottom - top) * (right - left)
                            : max(0, rowEnd - rowStart) * max(0, columnEnd - columnStart)
                        guard count > 0, rowStart < rowEnd, columnStart < columnEnd else { continue }
                        let share = gradient / Float(count)
                        for ih in rowStart..<rowEnd {
                            for iw in columnStart..<columnEnd { target[ih * width + iw] += share }
                        }
                    case .global:
                        break
                    }
                }
            }
        }
    }
}
