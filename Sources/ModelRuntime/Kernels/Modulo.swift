import Foundation
import ModelCompiler

/// Mod (ONNX Mod-13): C = A mod B with numpy broadcasting, for int64, int32 and float32.
/// fmod = 0 takes the sign of B (Python's %, numpy's mod); fmod = 1 the sign of A (C's fmod).
/// An integer remainder by 0 is 0 (numpy's result) and Int.min mod −1 is 0: both would trap in
/// Swift's `%`.
struct ModKernel: Kernel {
    let type: ElementType
    let signOfDivisor: Bool
    let outputShape: [Int]
    let stridesA: [Int]
    let stridesB: [Int]

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let a = node.inputTypes.first ?? nil, node.inputTypes.count == 2, node.inputTypes[1] == a else {
            throw node.error("A and B must have one element type, got \(node.inputTypes.map { $0?.rawValue ?? "?" })")
        }
        guard [.float32, .int64, .int32].contains(a) else {
            throw node.error("Mod of \(a) inputs is not supported (float32, int64, int32)")
        }
        signOfDivisor = !(try node.flag("fmod", default: false))
        type = a
        outputShape = node.outputShapes[0]
        stridesA = BinaryKernel.broadcastStrides(node.shape(0), to: outputShape)
        stridesB = BinaryKernel.broadcastStrides(node.shape(1), to: outputShape)
    }

    func run(_ io: KernelIO) {
        guard let a = io.input(0), let b = io.input(1), let c = io.output(0) else { return }
        switch type {
        case .float32:
            apply(a, b, c, as: Float.self) { x, y in
                let r = Foundation.fmod(x, y)
                return signOfDivisor && r != 0 && (r < 0) != (y < 0) ? r + y : r
            }
        case .int64:
            apply(a, b, c, as: Int64.self) { x, y in ModKernel.remainder(x, y, signOfDivisor: signOfDivisor) }
        default:
            apply(a, b, c, as: Int32.self) { x, y in ModKernel.remainder(x, y, signOfDivisor: signOfDivisor) }
        }
    }

    /// x mod y without trapping: 0 for y = 0 and for Int.min mod −1.
    @inline(__always)
    static func remainder<T: FixedWidthInteger & SignedInteger>(_ x: T, _ y: T, signOfDivisor: Bool) -> T {
        guard y != 0 else { return 0 }
        let (r, overflow) = x.remainderReportingOverflow(dividingBy: y)
        guard !overflow else { return 0 }
        return signOfDivisor && r != 0 && (r < 0) != (y < 0) ? r + y : r
    }

    private func apply<T>(
        _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ c: UnsafeMutableRawPointer, as: T.Type, _ f: (T, T) -> T
    ) {
        let (x, y, z) = (
            a.assumingMemoryBound(to: T.self), b.assumingMemoryBound(to: T.self), c.assumingMemoryBound(to: T.self)
        )
        let rank = outputShape.count
        let inner = rank == 0 ? 1 : outputShape[rank - 1]
        let (sa, sb) = rank == 0 ? (0, 0) : (stridesA[rank - 1], stridesB[rank - 1])
        forEachRow(
            extents: rank == 0 ? [1] : outputShape, stridesA: rank == 0 ? [0] : stridesA,
            stridesB: rank == 0 ? [0] : stridesB
        ) { row, offsetA, offsetB in
            let out = z + row * inner
            for i in 0..<inner { out[i] = f(x[offsetA + i * sa], y[offsetB + i * sb]) }
        }
    }
}
