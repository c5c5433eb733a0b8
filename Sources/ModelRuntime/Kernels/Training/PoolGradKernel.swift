import ModelCompiler

/// PoolGrad: dX of MaxPool (each window's gradient goes to its first maximum, found as the
/// forward kernel finds it), AveragePool (spread evenly over the window, with the forward's
/// divisor) or GlobalAveragePool (dY / spatial size everywhere). The window geometry is the
/// forward `WindowPoolKernel`'s, bound to the same shapes.
struct PoolGradKernel: Kernel {
    enum Pool: Sendable {
        case window(WindowPoolKernel)
        case global(planes: Int, extent: Int)
    }

    let pool: Pool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let dy = node.shape(0)
        let x = node.shape(1)
        let name = node.attributes.string("pool", default: "")
        guard x.count >= 3 else { throw node.error("X must be [N,C,spatial...], got \(x)") }
        if name == "GlobalAveragePool" {
            pool = .global(planes: x[0] * x[1], extent: x.dropFirst(2).reduce(1, *))
            return
        }
        guard name == "MaxPool" || name == "AveragePool" else { throw node.error("pool '\(name)' is not a pooling op") }
        let forward = BoundNode(
            name: node.name, op: name == "MaxPool" ? .maxPool : .averagePool, attributes: node.attributes,
            inputShapes: [x], inputTypes: [.float32], outputShapes: [dy], outputTypes: [.float32], constants: [:])
        pool = .window(try WindowPoolKernel(binding: forward))
    }

    func run(_ io: KernelIO) {
        let dy = io.floats(0)
        let x = io.floats(1)
        let dx = io.outputFloats(0)
        switch pool {
        case .global(let planes, let extent):
            let scale = extent > 0 ? 1 / Float(extent) : 0
            for plane in 0..<planes {
                (dx + plane * extent).update(repeating: dy[plane] * scale, count: extent)
            }
        case .window(let window):
            dx.initialize(repeating: 0, count: window.planes * window.height * window.width)
            if case .max = window.reduction, window.isPlainTwoByTwo {
                twoByTwo(window, dy, x, dx)
            } else {
                general(window, dy, x, dx)
            }
        }
    }

    private func general(
        _ window: WindowPoolKernel, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ dx: UnsafeMutablePointer<Float>
    ) {
        let (width, inputPlane) = (window.width, window.height * window.width)
        var out = 0
        for plane in 0..<window.planes {
            let input = x + plane * inputPlane
            let target = dx + plane * inputPlane
            for oh in 0..<window.rows.strided {
                for ow in 0..<window.columns.strided {
                    let gradient = dy[out]
                    out += 1
                    switch window.reduction {
                    case .max:
                        if let best = window.firstMaximum(input, oh: oh, ow: ow) {
                            target[best.row * width + best.column] += gradient
                        }
                    case .average(let includePad):
                        let area = window.averageWindow(oh: oh, ow: ow, includePad: includePad)
                        guard area.divisor > 0 else { continue }
                        let share = gradient / Float(area.divisor)
                        for ih in area.rows {
                            for iw in area.columns { target[ih * width + iw] += share }
                        }
                    }
                }
            }
        }
    }

    /// MaxPool 2×2 stride 2 inside the input: the window's first maximum in the forward
    /// kernel's order (top-left, top-right, bottom-left, bottom-right; a later one only when
    /// strictly greater), without per-tap bounds checks.
    private func twoByTwo(
        _ window: WindowPoolKernel, _ dy: UnsafePointer<Float>, _ x: UnsafePointer<Float>,
        _ dx: UnsafeMutablePointer<Float>
    ) {
        let (width, inputPlane) = (window.width, window.height * window.width)
        var gradient = dy
        for plane in 0..<window.planes {
            let input = x + plane * inputPlane
            let target = dx + plane * inputPlane
            for oh in 0..<window.rows.strided {
                let top = 2 * oh * width
                for ow in 0..<window.columns.strided {
                    let first = top + 2 * ow
                    var best = first
                    if input[first + 1] > input[best] { best = first + 1 }
                    if input[first + width] > input[best] { best = first + width }
                    if input[first + width + 1] > input[best] { best = first + width + 1 }
                    target[best] += gradient[ow]
                }
                gradient += window.columns.strided
            }
        }
    }
}
