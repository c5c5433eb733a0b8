import ModelCompiler
import ModelFormat

extension InferenceSession {
    /// A runtime tensor for an initializer, float16 widened to float32.
    static func load(_ tensor: ProtoTensor) throws(RuntimeError) -> Tensor {
        let type = tensor.dataType.resolved
        guard let elementType = ElementType(type) else {
            throw .bind(
                node: tensor.name, op: "initializer",
                reason: "\(type.onnxName) tensors are not supported by the runtime")
        }
        do {
            let bytes = try tensor.elementBytes()
            let shape = tensor.dims.map { Int($0) }
            if type == .float16 {
                let widened: [Float] = bytes.withUnsafeBytes { raw in
                    (0..<(bytes.count / 2)).map {
                        Float(
                            Float16(
                                bitPattern: UInt16(
                                    littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self))))
                    }
                }
                return Tensor(shape: shape, scalars: widened)
            }
            guard let result = Tensor(shape: shape, type: elementType, bytes: bytes) else {
                throw RuntimeError.bind(
                    node: tensor.name, op: "initializer", reason: "payload does not match dims \(shape)")
            }
            return result
        } catch let error as RuntimeError {
            throw error
        } catch {
            throw .bind(node: tensor.name, op: "initializer", reason: String(describing: error))
        }
    }
}
