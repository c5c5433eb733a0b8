import ModelCompiler

/// ConvGrad: the gradients of Conv (2-D, groups) from dY [N,M,OH,OW], X and W.
///
/// Per (image, group), with the forward's im2col columns K [C/g·KH·KW, OH·OW]:
/// dW_g += dY_g · Kᵀ and dK = W_gᵀ · dY_g, folded back (col2im: each column entry added to
/// the input element it was copied from, `WindowAxis.fold`) into dX; dB sums dY over images and positions.
/// Both column matrices live in the arena's scratch region.
struct ConvGradKernel: Kernel {
    let forward: ConvKernel

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        let dy = node.shape(0)
        let conv = BoundNode(
            name: node.name, op: .conv, attributes: node.attributes, inputShapes: [node.shape(1), node.shape(2)],
            inputTypes: [.float32, .float32], outputShapes: [dy], outputTypes: [.float32], constants: [:])
        forward = try ConvKernel(binding: conv)
    }

    var scratchByteCount: Int { 2 * forward.depth * forward.outputPlane * MemoryLayout<Float>.size }

    func run(_ io: KernelIO) {
        let f = forward
        let dy = io.floats(0)
        let x = io.floats(1)
        let w = io.floats(2)
        let dx = io.output(0)?.assumingMemoryBound(to: Float.self)
        let dw = io.output(1)?.assumingMemoryBound(to: Float.self)
        let db = io.output(2)?.assumingMemoryBound(to: Float.self)
        let plane = f.outputPlane
        let inputPlane = f.height * f.width
        let depth = f.depth
        guard let scratch = io.scratch?.assumingMemoryBound(to: Float.self) else { return }
        let columns = scratch
        let columnGradient = scratch + depth * plane
        if let db {
            for filter in 0..<f.filters {
                var sum: Float = 0
                for image in 0..<f.batch {
                    let row = dy + (image * f.filters + filter) * plane
                    for p in 0..<plane { sum += row[p] }
                }
                db[filter] = sum
            }
        }
        dx?.initialize(repeating: 0, count: f.batch * f.channels * inputPlane)
        for image in 0..<f.batch {
            for group in 0..<f.groups {
                let input = x + (image * f.channels + group * f.channelsPerGroup) * inputPlane
                let gradientOut = dy + (image * f.filters + group * f.filtersPerGroup) * plane
                if let dw {
                    f.unfold(input, into: columns)
                    MatrixProduct.sgemm(
                        transposeA: false, transposeB: true, m: f.filtersPerGroup, n: depth, k: plane, alpha: 1,
                        a: gradientOut, b: columns, beta: image == 0 ? 0 : 1, c: dw + group * f.filtersPerGroup * depth,
                        threads: io.threads)
                }
                if let dx {
                    MatrixProduct.sgemm(
                        transposeA: true, transposeB: false, m: depth, n: plane, k: f.filtersPerGroup, alpha: 1,
                        a: w + group * f.filtersPerGroup * depth, b: gradientOut, beta: 0, c: columnGradient,
                        threads: io.threads)
                    WindowAxis.fold(
                        columnGradient, into: dx + (image * f.channels + group * f.channelsPerGroup) * inputPlane,
                        planes: f.channelsPerGroup, rows: f.rows, columns: f.columns, rowTaps: f.rowTaps,
                        columnTaps: f.columnTaps)
                }
            }
        }
    }
}
