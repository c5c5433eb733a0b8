import ModelCompiler

/// Kernels for ReduceMax, ReduceMean, ReduceSum, ArgMax.
func makeReductionKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    switch node.op {
    case .argMax: try ArgMaxKernel(binding: node)
    default: try ReduceKernel(binding: node)
    }
}

/// ReduceSum, ReduceMean and ReduceMax, float32, with the axes as a constant input (ReduceSum-13,
/// ReduceMean-18, ReduceMax-18) or as an attribute (ReduceMean-13, ReduceMax-13).
///
/// No axes (or an empty axes list) reduces every axis, unless `noop_with_empty_axes` = 1,
/// which makes the op a copy. `keepdims` changes only the
/// output's shape, not its element order, so the kernel ignores it.
///
/// At bind time the input shape is collapsed into alternating runs of kept and reduced axes
/// (size-1 axes dropped, neighbours of the same kind merged), and each run gets its stride in
/// the output (0 for reduced runs). The run then walks the input once in memory order and
/// accumulates into the output, with the innermost run as a tight loop: a contiguous sum or
/// max when it is reduced, an elementwise update of an output row when it is kept.
struct ReduceKernel: Kernel {
    enum Operation: Sendable { case sum, mean, max }

    let operation: Operation
    /// Collapsed input extents, outermost first (at least one entry).
    let extents: [Int]
    /// Output stride of each collapsed run; 0 for reduced runs.
    let outputStrides: [Int]
    let inputCount: Int
    let outputCount: Int
    /// Input elements per output element (for the mean).
    let reducedCount: Int
    /// `noop_with_empty_axes` with empty axes: the output is the input.
    let isCopy: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs([0])
        switch node.op {
        case .reduceSum: operation = .sum
        case .reduceMean: operation = .mean
        default: operation = .max
        }
        let shape = node.shape(0)
        let attributes = try node.decode(ReduceAttributes.init)
        var axes: [Int]?
        if node.has(1) {
            guard let constant = node.constants[1] else {
                throw node.error("the axes input must be a constant (initializer or Constant)")
            }
            axes = constant.int64s.map { Int($0) }
        } else {
            axes = attributes.axes
        }
        let given = axes ?? []
        var reduced = try node.decode { (_: Attributes) throws(AttributeError) -> Set<Int> in
            try ReduceAttributes.normalized(given, rank: shape.count)
        }
        isCopy = reduced.isEmpty && attributes.noopWithEmptyAxes
        if reduced.isEmpty && !isCopy { reduced = Set(shape.indices) }

        var runs: [(extent: Int, isReduced: Bool)] = []
        for (axis, extent) in shape.enumerated() where extent != 1 {
            let isReduced = reduced.contains(axis)
            if let last = runs.last, last.isReduced == isReduced {
                runs[runs.count - 1].extent *= extent
            } else {
                runs.append((extent, isReduced))
            }
        }
        if runs.isEmpty { runs = [(1, false)] }
        extents = runs.map(\.extent)
        var strides = [Int](repeating: 0, count: runs.count)
        var step = 1
        for index in runs.indices.reversed() where !runs[index].isReduced {
            strides[index] = step
            step *= runs[index].extent
        }
        outputStrides = strides
        inputCount = shape.reduce(1, *)
        outputCount = node.outputShapes[0].reduce(1, *)
        reducedCount = isCopy ? 1 : shape.indices.filter { reduced.contains($0) }.map { shape[$0] }.reduce(1, *)
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        let y = io.outputFloats(0)
        if isCopy {
            if UnsafeRawPointer(x) != UnsafeRawPointer(y) { y.update(from: x, count: inputCount) }
            return
        }
        // The identity of each operation (an empty max is −∞, an empty mean 0/0 = NaN).
        y.update(repeating: operation == .max ? -.infinity : 0, count: outputCount)
        let rank = extents.count
        let inner = extents[rank - 1]
        let innerStride = outputStrides[rank - 1]
        if inputCount > 0 {
            forEachRow(extents: extents, stridesA: outputStrides) { row, outputOffset, _ in
                accumulate(x + row * inner, count: inner, into: y + outputOffset, stride: innerStride)
            }
        }
        if operation == .mean {
            let scale = 1 / Float(reducedCount)
            for i in 0..<outputCount { y[i] *= scale }
        }
    }

    /// Folds `count` contiguous inputs into the output: all into y[0] when `stride` is 0,
    /// one to one into y[0..<count] when it is 1.
    @inline(__always)
    private func accumulate(_ x: UnsafePointer<Float>, count: Int, into y: UnsafeMutablePointer<Float>, stride: Int) {
        switch (operation, stride) {
        case (.max, 0): y[0] = Self.maximum(y[0], Self.maximum(of: x, count: count))
        case (.max, _): for i in 0..<count { y[i] = Self.maximum(y[i], x[i]) }
        case (_, 0): y[0] += Self.sum(of: x, count: count)
        case (_, _): for i in 0..<count { y[i] += x[i] }
        }
    }

    /// max that propagates NaN (as numpy and ONNX Runtime do).
    @inline(__always)
    static func maximum(_ a: Float, _ b: Float) -> Float { a.isNaN || a >= b ? a : b }

    static func maximum(of x: UnsafePointer<Float>, count: Int) -> Float {
        var result = -Float.infinity
        for i in 0..<count { result = maximum(result, x[i]) }
        return result
    }

    /// Sum in 16 lanes (vectorised, and 16 partial sums round less than one running sum).
    static func sum(of x: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD16<Float>()
        var i = 0
        let raw = UnsafeRawPointer(x)
        while i + 16 <= count {
            lanes += raw.loadUnaligned(fromByteOffset: i * MemoryLayout<Float>.stride, as: SIMD16<Float>.self)
            i += 16
        }
        var result = lanes.sum()
        while i < count {
            result += x[i]
            i += 1
        }
        return result
    }
}

/// ArgMax (ONNX ArgMax-13): the int64 index of the largest element along `axis`.
///
/// Ties go to the first index, or the last with `select_last_index` = 1. A NaN counts as the
/// largest value (numpy's rule): the first NaN wins, or the last one with `select_last_index`.
struct ArgMaxKernel: Kernel {
    let outer: Int
    let extent: Int
    let inner: Int
    let selectLast: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        try node.requireFloatInputs()
        (outer, extent, inner) = sizes(of: node.shape(0), around: try node.axis(default: 0))
        selectLast = try node.decode(ArgMaxAttributes.init).selectLastIndex
    }

    func run(_ io: KernelIO) {
        let x = io.floats(0)
        guard let output = io.output(0) else { return }
        let y = output.assumingMemoryBound(to: Int64.self)
        for o in 0..<outer {
            let block = x + o * extent * inner
            let best = y + o * inner
            best.update(repeating: 0, count: inner)
            // k outside, i inside: reads stay contiguous; the current best is re-read from x.
            for k in 1..<max(extent, 1) {
                let row = block + k * inner
                for i in 0..<inner where takes(row[i], over: block[Int(best[i]) * inner + i]) {
                    best[i] = Int64(k)
                }
            }
        }
    }

    @inline(__always)
    private func takes(_ candidate: Float, over best: Float) -> Bool {
        if best.isNaN { return selectLast && candidate.isNaN }
        if candidate.isNaN { return true }
        return selectLast ? candidate >= best : candidate > best
    }
}
