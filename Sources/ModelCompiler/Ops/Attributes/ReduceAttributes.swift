/// ReduceMax/Mean/Sum's attributes (ONNX Reduce*-13): the axes attribute (ReduceSum takes
/// axes as an input instead), `keepdims` and `noop_with_empty_axes`.
public struct ReduceAttributes: Sendable, Equatable {
    public var axes: [Int]?
    public var keepDims: Bool
    public var noopWithEmptyAxes: Bool

    public init(_ attributes: Attributes) throws(AttributeError) {
        axes = attributes.ints("axes")
        keepDims = try attributes.flag("keepdims", default: true)
        noopWithEmptyAxes = try attributes.flag("noop_with_empty_axes", default: false)
    }

    /// `axes` normalised into 0..<rank (negative ones count from the end), each at most once.
    public static func normalized(_ axes: [Int], rank: Int) throws(AttributeError) -> Set<Int> {
        var result = Set<Int>()
        for axis in axes {
            let normalized = axis < 0 ? axis + rank : axis
            guard normalized >= 0 && normalized < rank else {
                throw AttributeError("axes", "axis \(axis) of axes \(axes) is out of range for rank \(rank)")
            }
            guard result.insert(normalized).inserted else {
                throw AttributeError("axes", "axis \(axis) appears twice in axes \(axes)")
            }
        }
        return result
    }
}

/// ArgMax's attributes (ONNX ArgMax-13).
public struct ArgMaxAttributes: Sendable, Equatable {
    public var axis: Int
    public var keepDims: Bool
    public var selectLastIndex: Bool

    public init(_ attributes: Attributes) throws(AttributeError) {
        axis = attributes.int("axis", default: 0)
        keepDims = try attributes.flag("keepdims", default: true)
        selectLastIndex = try attributes.flag("select_last_index", default: false)
    }
}
