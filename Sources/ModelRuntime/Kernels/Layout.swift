import ModelCompiler
import ModelFormat

/// Kernels for Cast, Concat, Gather, Split, Transpose.
func makeLayoutKernel(_ node: BoundNode) throws(RuntimeError) -> any Kernel {
    switch node.op {
    case .cast: try CastKernel(binding: node)
    case .concat: try ConcatKernel(binding: node)
    case .gather: try GatherKernel(binding: node)
    case .split: try SplitKernel(binding: node)
    default: try TransposeKernel(binding: node)
    }
}

/// The element type of required input `index`, which binding guarantees is present.
private func elementType(_ node: BoundNode, _ index: Int) throws(RuntimeError) -> ElementType {
    guard index < node.inputTypes.count, let type = node.inputTypes[index] else {
        throw node.error("input \(index) is missing")
    }
    return type
}

/// Transpose (ONNX Transpose-13): output axis a is input axis perm[a].
///
/// perm defaults to the axes reversed. Any element type (moved as 1-, 4- or 8-byte words).
///
/// At bind time size-1 axes are dropped and output axes that are consecutive in the input
/// are merged, so e.g. [N,C,H,W] → [N,H,W,C] becomes a batch of 2-D transposes of
/// [C, H·W]; a permutation that collapses to the identity is a plain copy.
struct TransposeKernel: Kernel {
    let elementSize: Int
    /// Collapsed output extents and, per output axis, the input stride in elements.
    let extents: [Int]
    let inputStrides: [Int]
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        elementSize = try elementType(node, 0).byteSize
        let shape = node.shape(0)
        let perm = node.attributes.ints("perm") ?? Array(shape.indices.reversed())
        guard perm.sorted() == Array(shape.indices) else {
            throw node.error("perm \(perm) is not a permutation of the \(shape.count) axes of \(shape)")
        }
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in shape.indices.reversed().dropFirst() { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        // Output axes in order, as (input axis, extent), without size-1 axes; then merge an
        // axis into the previous one when it follows it directly in the input.
        var runs: [(axis: Int, extent: Int)] = []
        for axis in perm where shape[axis] != 1 {
            if let last = runs.last, last.axis + 1 == axis {
                runs[runs.count - 1] = (axis, last.extent * shape[axis])
            } else {
                runs.append((axis, shape[axis]))
            }
        }
        extents = runs.map(\.extent)
        inputStrides = runs.map { strides[$0.axis] }
        count = shape.reduce(1, *)
    }

    func run(_ io: KernelIO) {
        guard let source = io.input(0), let destination = io.output(0) else { return }
        if extents.count <= 1 {
            destination.copyMemory(from: source, byteCount: count * elementSize)
            return
        }
        switch elementSize {
        case 1: permute(source, destination, as: UInt8.self)
        case 4: permute(source, destination, as: UInt32.self)
        default: permute(source, destination, as: UInt64.self)
        }
    }

    private func permute<T>(_ source: UnsafeRawPointer, _ destination: UnsafeMutableRawPointer, as: T.Type) {
        let x = source.assumingMemoryBound(to: T.self)
        let y = destination.assumingMemoryBound(to: T.self)
        let rank = extents.count
        let inner = extents[rank - 1]
        let innerStride = inputStrides[rank - 1]
        forEachRow(extents: extents, stridesA: inputStrides) { row, offset, _ in
            let written = row * inner
            for i in 0..<inner { y[written + i] = x[offset + i * innerStride] }
        }
    }
}

/// Concat (ONNX Concat-13): the inputs joined along `axis`.
///
/// A negative axis counts from the end; any element type. Per index of the axes before
/// `axis`, each input contributes one contiguous block, so the run is a sequence of copies.
struct ConcatKernel: Kernel {
    let outer: Int
    /// Bytes each input contributes per outer index.
    let blockBytes: [Int]

    init(binding node: BoundNode) throws(RuntimeError) {
        let type = try elementType(node, 0)
        let first = node.shape(0)
        let axis = try node.axis(default: 0)
        var blocks: [Int] = []
        for index in node.inputShapes.indices {
            let shape = node.shape(index)
            guard try elementType(node, index) == type, shape.count == first.count,
                shape.indices.allSatisfy({ $0 == axis || shape[$0] == first[$0] })
            else {
                throw node.error("input \(index) \(shape) does not match input 0 \(first) outside axis \(axis)")
            }
            blocks.append(shape[axis...].reduce(1, *) * type.byteSize)
        }
        outer = first[..<axis].reduce(1, *)
        blockBytes = blocks
    }

    func run(_ io: KernelIO) {
        guard var destination = io.output(0) else { return }
        for o in 0..<outer {
            for (index, bytes) in blockBytes.enumerated() where bytes > 0 {
                guard let source = io.input(index) else { continue }
                destination.copyMemory(from: source + o * bytes, byteCount: bytes)
                destination += bytes
            }
        }
    }
}

/// Split (ONNX Split-13): the input cut along `axis` into the outputs.
///
/// The parts are equal or the sizes of the constant `split` input; shape inference has
/// turned either into the output shapes, which the kernel reads. Any element type; the
/// inverse of Concat.
struct SplitKernel: Kernel {
    let outer: Int
    /// Bytes each output takes per outer index.
    let blockBytes: [Int]

    init(binding node: BoundNode) throws(RuntimeError) {
        let type = try elementType(node, 0)
        let shape = node.shape(0)
        let axis = try node.axis(default: 0)
        let inner = sizes(of: shape, around: axis).inner
        let sizes = node.outputShapes.map { $0.count == shape.count ? $0[axis] : -1 }
        guard sizes.allSatisfy({ $0 >= 0 }), sizes.reduce(0, +) == shape[axis] else {
            throw node.error("outputs \(node.outputShapes) do not split axis \(axis) of \(shape)")
        }
        outer = shape[..<axis].reduce(1, *)
        blockBytes = sizes.map { $0 * inner * type.byteSize }
    }

    func run(_ io: KernelIO) {
        guard var source = io.input(0) else { return }
        for o in 0..<outer {
            for (index, bytes) in blockBytes.enumerated() where bytes > 0 {
                if let destination = io.output(index) {
                    (destination + o * bytes).copyMemory(from: source, byteCount: bytes)
                }
                source += bytes
            }
        }
    }
}

/// Gather (ONNX Gather-13): Y = data indexed along `axis` by int64 or int32 `indices`.
///
/// Y's shape is data[..<axis] + indices + data[(axis+1)...]; any data element type. A
/// negative index i counts from the end (i + extent), as ONNX specifies.
///
/// Out-of-range indices: ONNX Runtime fails the run; `run` here cannot fail, so
/// - constant indices (an initializer, e.g. selecting a slice) are checked at bind time and
///   an out-of-range one is a bind error naming the node;
/// - computed or fed indices are checked as they are read: an out-of-range index writes a
///   poisoned row, NaN for float32 data (so it propagates and trips NaN guards) and zeros for
///   integer and bool data (which have no NaN). Memory outside `data` is never read.
struct GatherKernel: Kernel {
    let outer: Int
    let extent: Int
    /// Bytes of one gathered slice (the axes after `axis`).
    let sliceBytes: Int
    let indexCount: Int
    let indicesAreInt32: Bool
    let dataIsFloat: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        let type = try elementType(node, 0)
        let shape = node.shape(0)
        let axis = try node.axis(default: 0)
        let inner: Int
        (outer, extent, inner) = sizes(of: shape, around: axis)
        let indexType = try elementType(node, 1)
        guard indexType == .int64 || indexType == .int32 else {
            throw node.error("indices must be int64 or int32, got \(indexType)")
        }
        sliceBytes = inner * type.byteSize
        indexCount = node.shape(1).reduce(1, *)
        indicesAreInt32 = indexType == .int32
        dataIsFloat = type == .float32
        if let constant = node.constants[1],
            let bad = constant.int64s.first(where: { $0 < -Int64(extent) || $0 >= Int64(extent) })
        {
            throw node.error(
                "index \(bad) is out of range for axis \(axis) of data \(shape) (valid: \(-extent)..<\(extent))")
        }
    }

    func run(_ io: KernelIO) {
        guard let data = io.input(0), let indices = io.input(1), let output = io.output(0) else { return }
        let floatsPerSlice = sliceBytes / MemoryLayout<Float>.stride
        var destination = output
        for o in 0..<outer {
            let block = data + o * extent * sliceBytes
            for j in 0..<indexCount {
                var index = loadIndex(indices, j, int32: indicesAreInt32)
                if index < 0 { index += extent }
                if index >= 0 && index < extent {
                    destination.copyMemory(from: block + index * sliceBytes, byteCount: sliceBytes)
                } else if dataIsFloat {
                    destination.assumingMemoryBound(to: Float.self).update(repeating: .nan, count: floatsPerSlice)
                } else {
                    destination.initializeMemory(as: UInt8.self, repeating: 0, count: sliceBytes)
                }
                destination += sliceBytes
            }
        }
    }
}

/// Cast (ONNX Cast-13) between float32, int64, int32, uint8 and bool (and to float16, kept
/// in float32 storage like every float16 in the runtime, rounded to half precision).
///
/// - float → integer truncates toward zero (ONNX). Values outside the target's range, which
///   ONNX leaves undefined, saturate to its minimum or maximum, and NaN becomes 0, so the
///   result never depends on the CPU (C's cast is undefined there; Swift's traps).
/// - integer → narrower integer keeps the low bits (two's complement wrap, as numpy and
///   ONNX Runtime do): int64 300 → uint8 44.
/// - anything → bool is x ≠ 0 (NaN is true); bool → number is 0 or 1.
struct CastKernel: Kernel {
    let source: ElementType
    let target: ElementType
    let roundsToHalf: Bool
    let count: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        source = try elementType(node, 0)
        let code = node.attributes.int("to", default: 0)
        guard let proto = ProtoDataType(rawValue: code), let target = ElementType(proto), proto != .undefined else {
            throw node.error("to = \(code) is not a type the runtime stores (float32, int64, int32, uint8, bool)")
        }
        self.target = target
        roundsToHalf = proto == .float16
        count = node.shape(0).reduce(1, *)
    }

    func run(_ io: KernelIO) {
        guard let x = io.input(0), let y = io.output(0) else { return }
        switch source {
        case .float32: convert(x.assumingMemoryBound(to: Float.self), y)
        case .int64: convert(x.assumingMemoryBound(to: Int64.self), y)
        case .int32: convert(x.assumingMemoryBound(to: Int32.self), y)
        case .uint8: convert(x.assumingMemoryBound(to: UInt8.self), y)
        case .bool: convert(x.assumingMemoryBound(to: Bool8.self), y)
        }
    }

    private func convert<S: CastSource>(_ x: UnsafePointer<S>, _ y: UnsafeMutableRawPointer) {
        switch target {
        case .float32:
            let out = y.assumingMemoryBound(to: Float.self)
            if roundsToHalf {
                for i in 0..<count { out[i] = Float(Float16(x[i].asFloat)) }
            } else {
                for i in 0..<count { out[i] = x[i].asFloat }
            }
        case .int64:
            let out = y.assumingMemoryBound(to: Int64.self)
            for i in 0..<count { out[i] = x[i].asInteger(Int64.self) }
        case .int32:
            let out = y.assumingMemoryBound(to: Int32.self)
            for i in 0..<count { out[i] = x[i].asInteger(Int32.self) }
        case .uint8:
            let out = y.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { out[i] = x[i].asInteger(UInt8.self) }
        case .bool:
            let out = y.assumingMemoryBound(to: UInt8.self)
            for i in 0..<count { out[i] = x[i].isNonzero ? 1 : 0 }
        }
    }
}

/// A bool element as stored (one byte, nonzero = true).
private struct Bool8 {
    let byte: UInt8
}

/// An element type Cast reads, with its conversions.
private protocol CastSource {
    var asFloat: Float { get }
    func asInteger<T: FixedWidthInteger>(_ type: T.Type) -> T
    var isNonzero: Bool { get }
}

extension Float: CastSource {
    fileprivate var asFloat: Float { self }
    fileprivate var isNonzero: Bool { self != 0 }

    /// Truncation toward zero, saturating at T's bounds; NaN → 0.
    fileprivate func asInteger<T: FixedWidthInteger>(_ type: T.Type) -> T {
        if isNaN { return 0 }
        let truncated = rounded(.towardZero)
        // Float(T.max) rounds up to 2^bits for the wide types, so compare with >=.
        if truncated >= Float(T.max) { return T.max }
        if truncated <= Float(T.min) { return T.min }
        return T(truncated)
    }
}

extension Int64: CastSource {
    fileprivate var asFloat: Float { Float(self) }
    fileprivate var isNonzero: Bool { self != 0 }
    fileprivate func asInteger<T: FixedWidthInteger>(_ type: T.Type) -> T { T(truncatingIfNeeded: self) }
}

extension Int32: CastSource {
    fileprivate var asFloat: Float { Float(self) }
    fileprivate var isNonzero: Bool { self != 0 }
    fileprivate func asInteger<T: FixedWidthInteger>(_ type: T.Type) -> T { T(truncatingIfNeeded: self) }
}

extension UInt8: CastSource {
    fileprivate var asFloat: Float { Float(self) }
    fileprivate var isNonzero: Bool { self != 0 }
    fileprivate func asInteger<T: FixedWidthInteger>(_ type: T.Type) -> T { T(truncatingIfNeeded: self) }
}

extension Bool8: CastSource {
    fileprivate var asFloat: Float { byte != 0 ? 1 : 0 }
    fileprivate var isNonzero: Bool { byte != 0 }
    fileprivate func asInteger<T: FixedWidthInteger>(_ type: T.Type) -> T { byte != 0 ? 1 : 0 }
}
