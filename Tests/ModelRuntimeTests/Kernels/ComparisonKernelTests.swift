import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelRuntime

/// Equal, Less, Greater and Where against element-by-element definitions written here.
@Suite struct ComparisonKernelTests {
    static let a: [Float] = [1, -2, .nan, 0.5, 7, -6]
    static let b: [Float] = [1, 0.5, 3]

    func bools(_ tensor: Tensor) -> [Bool] {
        tensor.withUnsafeBytes { Array($0.bindMemory(to: UInt8.self)).map { $0 != 0 } }
    }

    @Test(arguments: [("Equal", 0), ("Less", 1), ("Greater", 2)])
    func comparesWithBroadcastingAndNaNIsFalse(_ op: String, _ kind: Int) throws {
        let c = try runOneNode(
            op, inputs: [("a", Tensor(shape: [2, 3], scalars: Self.a)), ("b", Tensor(shape: [3], scalars: Self.b))])[0]
        #expect(c.elementType == .bool && c.shape == [2, 3])
        let want = (0..<6).map { index -> Bool in
            let (x, y) = (Self.a[index], Self.b[index % 3])
            return kind == 0 ? x == y : (kind == 1 ? x < y : x > y)
        }
        #expect(bools(c) == want)
    }

    @Test func comparesIntegers() throws {
        let c = try runOneNode(
            "Less", inputs: [("a", Tensor(shape: [3], int64s: [1, 5, -9])), ("b", Tensor(shape: [1], int64s: [2]))])[0]
        #expect(bools(c) == [true, false, true])
    }

    @Test func mixedOperandTypesAreNamed() {
        #expect {
            _ = try runOneNode(
                "Equal", inputs: [("a", Tensor(shape: [2], scalars: [1, 2])), ("b", Tensor(shape: [2], int64s: [1, 2]))])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("Equal") && text.contains("FLOAT") && text.contains("INT64")
        }
    }

    @Test func whereSelectsWithThreeWayBroadcasting() throws {
        let condition = try #require(Tensor(shape: [3], type: .bool, bytes: Data([1, 0, 1])))
        let y = try runOneNode(
            "Where",
            inputs: [
                ("c", condition), ("x", Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])),
                ("y", Tensor(shape: [2, 1], scalars: [-1, -2])),
            ])[0]
        #expect(y.shape == [2, 3])
        #expect(y.scalars == [1, -1, 3, 4, -2, 6])
        let integers = try runOneNode(
            "Where",
            inputs: [("c", condition), ("x", Tensor(shape: [3], int64s: [7, 8, 9])), ("y", Tensor(shape: [], int64s: [0]))]
        )[0]
        #expect(integers.int64s == [7, 0, 9])
    }

    @Test func whereNeedsABoolCondition() {
        #expect {
            _ = try runOneNode(
                "Where",
                inputs: [
                    ("c", Tensor(shape: [2], scalars: [1, 0])), ("x", Tensor(shape: [2], scalars: [1, 2])),
                    ("y", Tensor(shape: [2], scalars: [3, 4])),
                ])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("Where") && text.contains("condition must be BOOL")
        }
    }
}
