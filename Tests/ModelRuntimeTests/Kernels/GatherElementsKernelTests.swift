import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

/// GatherElements against the ONNX operator documentation's two worked examples, negative
/// indices, and the refusals.
@Suite struct GatherElementsKernelTests {
    @Test func alongTheLastAxis() throws {
        // data [[1,2],[3,4]], indices [[0,0],[1,0]], axis 1 → [[1,1],[4,3]].
        let y = try runOneNode(
            "GatherElements",
            inputs: [("data", Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])), ("i", Tensor(shape: [2, 2], int64s: [0, 0, 1, 0]))],
            attributes: [attribute("axis", i: 1)])[0]
        #expect(y.shape == [2, 2] && y.scalars == [1, 1, 4, 3])
    }

    @Test func alongTheFirstAxisWithFewerRowsAndNegativeIndices() throws {
        // data 3×3 of 1…9, indices [[1,2,0],[2,0,0]] (the second row written [-1,-3,0]), axis 0
        // → [[4,8,3],[7,2,3]].
        let y = try runOneNode(
            "GatherElements",
            inputs: [
                ("data", Tensor(shape: [3, 3], int64s: Array(1...9))),
                ("i", Tensor(shape: [2, 3], int64s: [1, 2, 0, -1, -3, 0])),
            ])[0]
        #expect(y.shape == [2, 3] && y.int64s == [4, 8, 3, 7, 2, 3])
    }

    @Test func badIndicesAreRefused() throws {
        let data = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        // A constant index out of range, indices of another rank, float indices.
        #expect(throws: RuntimeError.self) {
            try runOneNode(
                "GatherElements", inputs: [("data", data)], constants: [("i", Tensor(shape: [2, 2], int64s: [0, 2, 0, 0]))])
        }
        #expect(throws: RuntimeError.self) {
            try runOneNode("GatherElements", inputs: [("data", data), ("i", Tensor(shape: [2], int64s: [0, 1]))])
        }
        #expect(throws: RuntimeError.self) {
            try runOneNode("GatherElements", inputs: [("data", data), ("i", Tensor(shape: [2, 2], scalars: [0, 1, 0, 1]))])
        }
    }
}
