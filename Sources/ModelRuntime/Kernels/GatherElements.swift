import ModelCompiler

/// GatherElements (ONNX GatherElements-13): output[i…] = data at i… with the axis coordinate
/// replaced by indices[i…] (negative counts from the end), any element type. An index out of
/// range at run time gives NaN for float32 and 0 otherwise, as Gather does; a constant index
/// out of range is refused at bind time.
struct GatherElementsKernel: Kernel {
    let indexShape: [Int]
    /// Element strides of data per axis, with the axis's stride 0 (the index supplies it).
    let dataStrides: [Int]
    let axisStride: Int
    let extent: Int
    let elementSize: Int
    let indicesAreInt32: Bool
    let dataIsFloat: Bool

    init(binding node: BoundNode) throws(RuntimeError) {
        guard let type = node.inputTypes.first ?? nil, let indexType = node.inputTypes.count > 1 ? node.inputTypes[1] : nil
        else {
            throw node.error("data and indices are required")
        }
        guard indexType == .int64 || indexType == .int32 else {
            throw node.error("indices must be int64 or int32, got \(indexType)")
        }
        let data = node.shape(0)
        indexShape = node.shape(1)
        let axis = try node.axis(default: 0)
        guard indexShape.count == data.count,
            zip(indexShape, data).enumerated().allSatisfy({ $0.offset == axis || $0.element.0 <= $0.element.1 })
        else {
            throw node.error("indices \(indexShape) must have data's rank and fit in data \(data) off axis \(axis)")
        }
        var strides = [Int](repeating: 1, count: data.count)
        for position in stride(from: data.count - 2, through: 0, by: -1) {
            strides[position] = strides[position + 1] * data[position + 1]
        }
        axisStride = strides[axis]
        strides[axis] = 0
        dataStrides = strides
        extent = data[axis]
        elementSize = type.byteSize
        indicesAreInt32 = indexType == .int32
        dataIsFloat = type == .float32
        if let constant = node.constants[1],
            let bad = constant.int64s.first(where: { $0 < -Int64(extent) || $0 >= Int64(extent) })
        {
            throw node.error("index \(bad) is out of range for axis \(axis) of data \(data) (valid: \(-extent)..<\(extent))")
        }
    }

    func run(_ io: KernelIO) {
        guard let data = io.input(0), let indices = io.input(1), let output = io.output(0),
            indexShape.allSatisfy({ $0 > 0 })
        else { return }
        let rank = indexShape.count
        let inner = indexShape[rank - 1]
        let innerStride = dataStrides[rank - 1]
        forEachRow(extents: indexShape, stridesA: dataStrides) { row, base, _ in
            for i in 0..<inner {
                let position = row * inner + i
                var index = loadIndex(indices, position, int32: indicesAreInt32)
                if index < 0 { index += extent }
                let target = output + position * elementSize
                if index >= 0 && index < extent {
                    let source = data + (base + i * innerStride + index * axisStride) * elementSize
                    target.copyMemory(from: source, byteCount: elementSize)
                } else if dataIsFloat {
                    target.storeBytes(of: Float.nan, as: Float.self)
                } else {
                    target.initializeMemory(as: UInt8.self, repeating: 0, count: elementSize)
                }
            }
        }
    }
}
