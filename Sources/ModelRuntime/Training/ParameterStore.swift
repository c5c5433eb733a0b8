import ModelCompiler
import ModelFormat

/// The trainer's parameters and optimiser state: one 64-byte-aligned buffer per tensor,
/// allocated once and written in place by the training graph's `OptimizerStep` nodes. The
/// training and evaluation plans both point at these buffers, so evaluation always sees the
/// current weights without copying them.
public final class ParameterStore: @unchecked Sendable {
    struct Entry {
        let pointer: UnsafeMutableRawPointer
        let shape: [Int]
        var count: Int { shape.reduce(1, *) }
    }

    private(set) var entries: [String: Entry] = [:]
    /// Names in the order they were added (parameters, then state).
    public private(set) var names: [String] = []

    init() {}

    deinit {
        for entry in entries.values { entry.pointer.deallocate() }
    }

    /// Adds `tensor` (float32) under `name`, copying its values.
    func add(_ name: String, _ tensor: Tensor) {
        let bytes = max(tensor.count * 4, 4)
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: bytes)
        tensor.withUnsafeBytes { source in
            if let base = source.baseAddress { pointer.copyMemory(from: base, byteCount: source.count) }
        }
        entries[name] = Entry(pointer: pointer, shape: tensor.shape)
        names.append(name)
    }

    /// Whether `name` is stored.
    public func contains(_ name: String) -> Bool { entries[name] != nil }

    /// A copy of tensor `name`.
    public func tensor(_ name: String) -> Tensor? {
        guard let entry = entries[name] else { return nil }
        var tensor = Tensor(zeros: entry.shape, type: .float32)
        tensor.withUnsafeMutableBytes { destination in
            if let base = destination.baseAddress { base.copyMemory(from: entry.pointer, byteCount: destination.count) }
        }
        return tensor
    }

    /// Overwrites tensor `name` with `tensor`'s values; false when the name or shape differs.
    @discardableResult
    public func assign(_ name: String, _ tensor: Tensor) -> Bool {
        guard let entry = entries[name], entry.shape == tensor.shape, tensor.elementType == .float32 else {
            return false
        }
        tensor.withUnsafeBytes { source in
            if let base = source.baseAddress { entry.pointer.copyMemory(from: base, byteCount: source.count) }
        }
        return true
    }

    /// Overwrites the tensors `names` (all when nil), in store order, with rank `root`'s on
    /// every rank of `communicator`.
    func broadcast(_ names: [String]? = nil, through communicator: any Communicator, from root: Int = 0)
        throws(RuntimeError)
    {
        for name in self.names where names?.contains(name) ?? true {
            guard let entry = entries[name] else { continue }
            try communicator.broadcast(
                entry.pointer.assumingMemoryBound(to: Float.self), count: entry.count, from: root)
        }
    }

    /// The buffers by name, for sessions that run graphs over them.
    var pointers: [String: UnsafeMutableRawPointer] { entries.mapValues(\.pointer) }

    /// Copies every tensor of this store from the same-named tensor of `other` (same shapes;
    /// names `other` lacks are left alone). No allocation.
    func copy(from other: ParameterStore) {
        for (name, entry) in entries {
            guard let source = other.entries[name], source.count == entry.count else { continue }
            entry.pointer.copyMemory(from: source.pointer, byteCount: entry.count * MemoryLayout<Float>.stride)
        }
    }
}
