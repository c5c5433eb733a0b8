import ModelCompiler

/// Ops whose output holds the input's bytes unchanged (Identity, Dropout in inference, Reshape,
/// Flatten, Squeeze, Unsqueeze). The planner aliases output to input when it can; then the
/// pointers are equal and nothing moves.
struct CopyKernel: Kernel {
    let byteCount: Int

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let type = node.inputTypes.first ?? nil else { throw node.error("input 0 is missing") }
        if node.op == .dropout && node.outputShapes.count > 1 {
            throw node.error("the mask output of Dropout exists only in training")
        }
        // Inference runs Dropout as the identity; a training_mode that is not a constant false
        // asks for random masks, which belong to the training graph.
        if node.op == .dropout && node.has(2) && node.constants[2]?.int64s.allSatisfy({ $0 == 0 }) != true {
            throw node.error("training_mode must be a constant false in inference; training runs in the training graph")
        }
        byteCount = node.outputShapes[0].reduce(1, *) * type.byteSize
    }

    func run(_ io: KernelIO) {
        guard let source = io.input(0), let destination = io.output(0), UnsafeRawPointer(destination) != source else {
            return
        }
        destination.copyMemory(from: source, byteCount: byteCount)
    }
}

/// Constant: copies its value (materialised at bind time) into the output.
struct ConstantKernel: Kernel {
    let value: Tensor

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let value = ConstantKernel.value(node) else { throw node.error("no supported value attribute") }
        self.value = value
    }

    static func value(_ node: BoundNode) -> Tensor? {
        let attributes = node.attributes
        if let tensor = attributes.tensor("value") {
            guard let type = ElementType(tensor.dataType), let bytes = try? tensor.elementBytes() else { return nil }
            return Tensor(shape: tensor.dims.map { Int($0) }, type: type, bytes: bytes)
        }
        if attributes.has("value_float") { return Tensor(shape: [], scalars: [attributes.float("value_float", default: 0)]) }
        if let floats = attributes.floats("value_floats") { return Tensor(shape: [floats.count], scalars: floats) }
        if attributes.has("value_int") { return Tensor(shape: [], int64s: [Int64(attributes.int("value_int", default: 0))]) }
        if let ints = attributes.ints("value_ints") { return Tensor(shape: [ints.count], int64s: ints.map { Int64($0) }) }
        return nil
    }

    func run(_ io: KernelIO) {
        guard let destination = io.output(0) else { return }
        value.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { destination.copyMemory(from: base, byteCount: bytes.count) }
        }
    }
}
