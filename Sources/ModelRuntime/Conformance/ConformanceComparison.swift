import Foundation

/// Output comparison with numpy `allclose` semantics, as ONNX's backend test runner uses.
///
/// Shapes and element types must be equal; element `i` matches when
/// `|got − expected| ≤ atol + rtol·|expected|`, NaN matches NaN, and an infinity matches only
/// the same infinity. Integer and bool elements are compared by the same rule (so they must
/// be equal for values under 1/rtol).
public enum ConformanceComparison {
    /// A summary of a comparison: the largest difference, where it is, and how many differ.
    public struct Result: Sendable, Equatable {
        /// Largest |got − expected| over elements that are both finite (0 when none).
        public var maxAbsDiff: Double
        /// Elements outside the tolerance.
        public var mismatches: Int
        /// The first element outside the tolerance: flat index, expected and got.
        public var firstMismatch: (index: Int, expected: Double, got: Double)?

        public static func == (lhs: Result, rhs: Result) -> Bool {
            lhs.maxAbsDiff == rhs.maxAbsDiff && lhs.mismatches == rhs.mismatches
                && lhs.firstMismatch?.index == rhs.firstMismatch?.index
        }
    }

    /// Why two tensors cannot be compared element by element.
    public enum Incompatibility: Error, Sendable, Equatable, CustomStringConvertible {
        case shape(expected: [Int], got: [Int])
        case elementType(expected: ElementType, got: ElementType)

        public var description: String {
            switch self {
            case .shape(let expected, let got): "shape: expected \(expected), got \(got)"
            case .elementType(let expected, let got): "element type: expected \(expected), got \(got)"
            }
        }
    }

    /// Compares `got` with `expected` at the given tolerances.
    public static func compare(
        expected: Tensor, got: Tensor, rtol: Double, atol: Double
    ) throws(Incompatibility) -> Result {
        guard expected.shape == got.shape else { throw .shape(expected: expected.shape, got: got.shape) }
        guard expected.elementType == got.elementType else {
            throw .elementType(expected: expected.elementType, got: got.elementType)
        }
        let a = values(got)
        let b = values(expected)
        var result = Result(maxAbsDiff: 0, mismatches: 0, firstMismatch: nil)
        for index in 0..<b.count {
            let (x, y) = (a[index], b[index])
            let close: Bool
            if x.isNaN || y.isNaN {
                close = x.isNaN && y.isNaN
            } else if x == y {
                close = true  // exact, infinities included
            } else if x.isInfinite || y.isInfinite {
                close = false
            } else {
                let difference = abs(x - y)
                result.maxAbsDiff = max(result.maxAbsDiff, difference)
                close = difference <= atol + rtol * abs(y)
            }
            if !close {
                result.mismatches += 1
                if result.firstMismatch == nil { result.firstMismatch = (index, y, x) }
            }
        }
        return result
    }

    /// The elements widened to Double (exact for float32, int32, uint8 and bool, and for int64 up to 2^53).
    private static func values(_ tensor: Tensor) -> [Double] {
        tensor.withUnsafeBytes { raw in
            switch tensor.elementType {
            case .float32: raw.bindMemory(to: Float.self).map { Double($0) }
            case .int64: raw.bindMemory(to: Int64.self).map { Double($0) }
            case .int32: raw.bindMemory(to: Int32.self).map { Double($0) }
            case .uint8, .bool: raw.bindMemory(to: UInt8.self).map { Double($0) }
            }
        }
    }
}
