import ModelCompiler

/// A node bound to concrete shapes: everything a kernel needs to prepare itself.
public struct BoundNode: Sendable {
    public let name: String
    public let op: OpType
    public let attributes: Attributes
    /// Per input position; nil for an omitted optional input.
    public let inputShapes: [[Int]?]
    public let inputTypes: [ElementType?]
    public let outputShapes: [[Int]]
    public let outputTypes: [ElementType]
    /// Values of inputs that are weights or constants, by position (for pre-packing).
    public let constants: [Int: Tensor]
    /// Threads the plan runs this node with: oneDNN fixes a primitive's work partition when it
    /// creates it, so primitives are created for this count.
    public var threads: Int = 1
    /// The ranks an `AllReduce` node reduces over (one process unless training is data-parallel).
    public var communicator: any Communicator = SingleProcessCommunicator.shared

    /// The shape of required input `index` (binding guarantees required inputs are present).
    func shape(_ index: Int) -> [Int] { index < inputShapes.count ? inputShapes[index] ?? [] : [] }

    /// Whether optional input `index` is given.
    func has(_ index: Int) -> Bool { index < inputShapes.count && inputShapes[index] != nil }

    /// A bind error for this node.
    func error(_ reason: String) -> RuntimeError { .bind(node: name, op: op.rawValue, reason: reason) }

    /// Attribute `name` as an axis of input 0: negative values count from the end (ONNX).
    /// `allowScalar` admits axis 0 of a rank-0 input. A bind error when out of range.
    func axis(_ name: String = "axis", default value: Int, allowScalar: Bool = false) throws(RuntimeError) -> Int {
        let shape = self.shape(0)
        let given = attributes.int(name, default: value)
        let axis = given < 0 ? given + shape.count : given
        guard axis >= 0 && axis < (allowScalar ? max(shape.count, 1) : shape.count) else {
            throw error("\(name) \(given) is out of range for input 0 \(shape)")
        }
        return axis
    }

    /// The activation a fused op (FusedGemm, FusedConv) applies to its output, from its
    /// `activation` attribute; the identity for an op that fuses nothing.
    func fusedActivation() throws(RuntimeError) -> Pointwise {
        guard op == .fusedGemm || op == .fusedConv else { return .identity }
        let name = attributes.string("activation", default: "")
        guard let function = Pointwise(fusedName: name, attributes: attributes) else {
            throw error("fused activation '\(name)' is not supported")
        }
        return function
    }

    /// Throws unless every present input is float32.
    func requireFloatInputs(_ positions: [Int]? = nil) throws(RuntimeError) {
        for index in positions ?? Array(inputTypes.indices) where index < inputTypes.count {
            if let type = inputTypes[index], type != .float32 {
                throw error("input \(index) is \(type); this kernel computes in float32")
            }
        }
    }
}

/// Pointers to a step's inputs and outputs, valid for one `run` call.
public struct KernelIO {
    let table: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    let inputIndices: UnsafeBufferPointer<Int32>
    let outputIndices: UnsafeBufferPointer<Int32>
    /// Threads the kernel may use.
    public let threads: Int
    /// The kernel's scratch region (`Kernel.scratchByteCount` bytes, 64-byte aligned), shared by
    /// all steps of a run since steps run one after another; nil when none was requested.
    public let scratch: UnsafeMutableRawPointer?

    /// Input `index`'s bytes (nil when the optional input is omitted).
    public func input(_ index: Int) -> UnsafeRawPointer? {
        guard index < inputIndices.count, inputIndices[index] >= 0 else { return nil }
        return UnsafeRawPointer(table[Int(inputIndices[index])])
    }

    /// Output `index`'s bytes (nil when the optional output is omitted).
    public func output(_ index: Int) -> UnsafeMutableRawPointer? {
        guard index < outputIndices.count, outputIndices[index] >= 0 else { return nil }
        return table[Int(outputIndices[index])]
    }

    /// Input `index` as floats; binding has checked the type and presence.
    func floats(_ index: Int) -> UnsafePointer<Float> {
        (input(index) ?? UnsafeRawPointer(bitPattern: 64).unsafelyUnwrapped).assumingMemoryBound(to: Float.self)
    }

    /// Output `index` as floats; binding has checked the type and presence.
    func outputFloats(_ index: Int) -> UnsafeMutablePointer<Float> {
        (output(index) ?? UnsafeMutableRawPointer(bitPattern: 64).unsafelyUnwrapped).assumingMemoryBound(to: Float.self)
    }
}

/// An op prepared for one set of shapes. Binding may throw; running may not, and allocates
/// nothing: every check and every buffer happens at bind time.
public protocol Kernel: Sendable {
    init(binding node: BoundNode) throws(RuntimeError)
    func run(_ io: KernelIO)
    /// Bytes of temporary memory `run` needs (im2col columns, ...); the planner reserves them
    /// in the arena, so `run` never allocates.
    var scratchByteCount: Int { get }
}

extension Kernel {
    /// Most kernels need no scratch.
    public var scratchByteCount: Int { 0 }
}

/// Element `j` of an index array stored as int32 or int64 (Gather's indices, class labels).
@inline(__always)
func loadIndex(_ indices: UnsafeRawPointer, _ j: Int, int32: Bool) -> Int {
    int32
        ? Int(indices.load(fromByteOffset: j * 4, as: Int32.self))
        : Int(truncatingIfNeeded: indices.load(fromByteOffset: j * 8, as: Int64.self))
}

/// The row odometer of the strided kernels (broadcasting, Transpose, reductions): walks the
/// rows of a row-major shape `extents` (every axis but the last) in order and calls
/// `body(row, offsetA, offsetB)` with the row's offsets into up to two strided operands
/// (`stridesA`, `stridesB`: per axis, 0 along a broadcast axis). `extents` has rank ≥ 1.
@inline(__always)
func forEachRow(extents: [Int], stridesA: [Int], stridesB: [Int]? = nil, _ body: (Int, Int, Int) -> Void) {
    let rank = extents.count
    let rows = extents.dropLast().reduce(1, *)
    withUnsafeTemporaryAllocation(of: Int.self, capacity: max(rank, 1)) { index in
        index.initialize(repeating: 0)
        var offsetA = 0
        var offsetB = 0
        for row in 0..<rows {
            body(row, offsetA, offsetB)
            var axis = rank - 2
            while axis >= 0 {
                index[axis] += 1
                offsetA += stridesA[axis]
                if let stridesB { offsetB += stridesB[axis] }
                if index[axis] < extents[axis] { break }
                offsetA -= stridesA[axis] * extents[axis]
                if let stridesB { offsetB -= stridesB[axis] * extents[axis] }
                index[axis] = 0
                axis -= 1
            }
        }
    }
}

/// A row-major shape seen around `axis`: the element count before it, its extent, and the
/// element count after it (1 for an axis past the end, as for a scalar).
func sizes(of shape: [Int], around axis: Int) -> (outer: Int, extent: Int, inner: Int) {
    (shape.prefix(axis).reduce(1, *), axis < shape.count ? shape[axis] : 1, shape.dropFirst(axis + 1).reduce(1, *))
}
