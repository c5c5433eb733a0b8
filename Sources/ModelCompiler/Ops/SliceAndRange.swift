// Slice and Range: ops whose output extents come from constant inputs.

import ModelFormat

extension OpSchema {
    static let slice = OpSchema(
        type: .slice,
        summary: "output = data[starts:ends:steps] along axes; starts, ends, axes, steps constant (ONNX Slice-13)",
        inputs: [Port("data"), Port("starts"), Port("ends"), Port("axes", optional: true), Port("steps", optional: true)],
        outputs: [Port("output")], attributes: [], inferTypes: inferSlice)
    static let range = OpSchema(
        type: .range,
        summary: "output = start, start+delta, ... below limit (above for delta < 0); scalar constants (ONNX Range-11)",
        inputs: [Port("start"), Port("limit"), Port("delta")], outputs: [Port("output")], attributes: [],
        inferTypes: inferRange)
}

/// Where one axis of a Slice starts, its step, and how many elements it takes.
public struct SliceAxis: Sendable, Equatable {
    public var start: Int
    public var step: Int
    public var count: Int
}

/// The per-axis geometry of ONNX Slice-13 over an input of extents `dims`: axes default to
/// 0..<starts.count, steps to 1; negative starts/ends count from the end; starts and ends are
/// clamped to [0, dim] (to [0, dim-1] and [-1, dim-1] for negative steps). Axes not named take
/// everything. Throws a message for bad lengths, repeated axes or a zero step.
public func sliceGeometry(
    dims: [Int], starts: [Int64], ends: [Int64], axes: [Int64]?, steps: [Int64]?
) -> Result<[SliceAxis], ShapeError> {
    let rank = dims.count
    let axes = axes ?? (0..<Int64(starts.count)).map { $0 }
    let steps = steps ?? Array(repeating: 1, count: starts.count)
    guard ends.count == starts.count, axes.count == starts.count, steps.count == starts.count else {
        return .failure(
            ShapeError(
                "slice", "starts \(starts), ends \(ends), axes \(axes) and steps \(steps) must have one length"))
    }
    var result = dims.map { SliceAxis(start: 0, step: 1, count: $0) }
    var seen = Set<Int>()
    for index in starts.indices {
        let axis = Int(axes[index] < 0 ? axes[index] + Int64(rank) : axes[index])
        guard axis >= 0 && axis < rank, seen.insert(axis).inserted else {
            return .failure(ShapeError("slice", "axes \(axes) are not distinct axes of a rank-\(rank) input"))
        }
        let step = steps[index]
        guard step != 0 else { return .failure(ShapeError("slice", "steps \(steps) contain 0")) }
        let dim = Int64(dims[axis])
        var start = starts[index] < 0 ? starts[index] &+ dim : starts[index]
        var end = ends[index] < 0 ? ends[index] &+ dim : ends[index]
        let count: Int64
        if step > 0 {
            start = Swift.min(Swift.max(start, 0), dim)
            end = Swift.min(Swift.max(end, 0), dim)
            count = end > start ? (end - start + step - 1) / step : 0
        } else {
            start = Swift.min(Swift.max(start, 0), dim - 1)
            end = Swift.min(Swift.max(end, -1), dim - 1)
            count = start > end ? (start - end + (-step) - 1) / (-step) : 0
        }
        result[axis] = SliceAxis(start: Int(start), step: Int(step), count: Int(count))
    }
    return .success(result)
}

func inferSlice(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let type = try context.input(0)
    let dims = try context.dims(0)
    guard let starts = context.constants[1], let ends = context.constants[2],
        !context.hasInput(3) || context.constants[3] != nil, !context.hasInput(4) || context.constants[4] != nil
    else { return [TensorType(type.dataType, dims.map { _ in .unknown })] }
    let named = Set((context.constants[3] ?? (0..<Int64(starts.count)).map { $0 }).map { Int($0 < 0 ? $0 + Int64(dims.count) : $0) })
    // Axes not sliced keep their dim, symbolic or not; sliced axes need a known extent.
    let extents = dims.enumerated().map { named.contains($0.offset) ? ($0.element.fixedValue ?? -1) : 0 }
    if named.contains(where: { $0 >= 0 && $0 < dims.count && extents[$0] < 0 }) {
        return [TensorType(type.dataType, dims.enumerated().map { named.contains($0.offset) ? .unknown : $0.element })]
    }
    switch sliceGeometry(dims: extents, starts: starts, ends: ends, axes: context.constants[3], steps: context.constants[4]) {
    case .failure(let error): throw error
    case .success(let geometry):
        return [TensorType(type.dataType, dims.enumerated().map { named.contains($0.offset) ? .fixed(geometry[$0.offset].count) : $0.element })]
    }
}

/// Range: 1-D of max(ceil((limit - start) / delta), 0) elements; start, limit, delta are
/// scalars of one type, and constants when the length is to be known.
func inferRange(_ context: InferenceContext) throws(ShapeError) -> [TensorType] {
    let type = try context.input(0)
    for index in 1...2 where try context.input(index).dataType != type.dataType {
        throw ShapeError("data-type", "start, limit and delta must have one type")
    }
    guard let start = context.constants[0]?.first, let limit = context.constants[1]?.first,
        let delta = context.constants[2]?.first
    else { return [TensorType(type.dataType, [.unknown])] }
    guard delta != 0 else { throw ShapeError("range", "delta is 0") }
    return [TensorType(type.dataType, [.fixed(Swift.max(0, Int(((Double(limit - start)) / Double(delta)).rounded(.up))))])]
}
