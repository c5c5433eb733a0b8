import Foundation
import ModelFormat

/// A dense, row-major tensor: shape, element type and contiguous storage.
///
/// Storage is shared between copies of the value (cheap to pass); `copy()` makes an
/// independent one. Mutation through `withUnsafeMutableBytes` copies first when the storage is
/// shared, so a tensor never changes behind another holder's back.
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    public private(set) var shape: [Int]
    public let elementType: ElementType
    private var storage: TensorStorage

    /// Number of elements (the product of the shape; 1 for a scalar).
    public var count: Int { shape.reduce(1, *) }

    /// A zero-filled tensor.
    public init(zeros shape: [Int], type: ElementType = .float32) {
        self.shape = shape
        self.elementType = type
        self.storage = TensorStorage(byteCount: shape.reduce(1, *) * type.byteSize)
    }

    /// A float32 tensor; `scalars.count` must equal the shape's product (checked: a mismatch is a
    /// programming error in the caller, so it traps; data from files goes through `init(shape:bytes:)`).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.reduce(1, *) == scalars.count, "Tensor: \(scalars.count) scalars for shape \(shape)")
        self.init(zeros: shape, type: .float32)
        scalars.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.bytes.copyMemory(from: base, byteCount: source.count) }
        }
    }

    /// An int64 tensor (class indices, shapes).
    public init(shape: [Int], int64s: [Int64]) {
        precondition(shape.reduce(1, *) == int64s.count, "Tensor: \(int64s.count) values for shape \(shape)")
        self.init(zeros: shape, type: .int64)
        int64s.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.bytes.copyMemory(from: base, byteCount: source.count) }
        }
    }

    /// A tensor from little-endian element bytes; nil when the byte count does not match.
    public init?(shape: [Int], type: ElementType, bytes: Data) {
        guard Shape.checkedByteCount(shape, elementSize: type.byteSize) == bytes.count else { return nil }
        self.init(zeros: shape, type: type)
        bytes.withUnsafeBytes { source in
            if let base = source.baseAddress { storage.bytes.copyMemory(from: base, byteCount: source.count) }
        }
    }

    /// Read access to the raw element bytes.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.bytes, count: storage.byteCount))
    }

    /// Write access to the raw element bytes (copies shared storage first).
    public mutating func withUnsafeMutableBytes<R>(_ body: (UnsafeMutableRawBufferPointer) throws -> R) rethrows -> R {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        return try body(UnsafeMutableRawBufferPointer(start: storage.bytes, count: storage.byteCount))
    }

    /// The elements as floats (int types converted), row-major.
    public var scalars: [Float] {
        withUnsafeBytes { raw in
            switch elementType {
            case .float32: Array(raw.bindMemory(to: Float.self))
            case .int64: raw.bindMemory(to: Int64.self).map { Float($0) }
            case .int32: raw.bindMemory(to: Int32.self).map { Float($0) }
            case .uint8, .bool: raw.bindMemory(to: UInt8.self).map { Float($0) }
            }
        }
    }

    /// The elements as int64s (floats truncated), row-major.
    public var int64s: [Int64] {
        withUnsafeBytes { raw in
            switch elementType {
            case .int64: Array(raw.bindMemory(to: Int64.self))
            case .float32: raw.bindMemory(to: Float.self).map { Int64($0) }
            case .int32: raw.bindMemory(to: Int32.self).map { Int64($0) }
            case .uint8, .bool: raw.bindMemory(to: UInt8.self).map { Int64($0) }
            }
        }
    }

    /// An independent copy.
    public func copy() -> Tensor {
        var result = self
        result.storage = storage.copy()
        return result
    }

    /// The same elements under another shape with the same element count, or nil.
    public func reshaped(_ newShape: [Int]) -> Tensor? {
        guard Shape.checkedElementCount(newShape) == count else { return nil }
        var result = self
        result.shape = newShape
        return result
    }

    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.elementType == rhs.elementType
            && lhs.withUnsafeBytes { a in rhs.withUnsafeBytes { b in a.elementsEqual(b) } }
    }

    public var description: String { "Tensor(\(elementType) \(shape))" }
}

/// Heap storage of a tensor, 64-byte aligned for SIMD loads.
final class TensorStorage: @unchecked Sendable {
    let bytes: UnsafeMutableRawPointer
    let byteCount: Int

    init(byteCount: Int) {
        self.byteCount = byteCount
        bytes = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: max(byteCount, 1))
    }

    func copy() -> TensorStorage {
        let result = TensorStorage(byteCount: byteCount)
        result.bytes.copyMemory(from: bytes, byteCount: byteCount)
        return result
    }

    deinit { bytes.deallocate() }
}
