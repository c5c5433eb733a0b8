import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelRuntime

/// Slice and Range against index arithmetic written here (numpy's slicing rules).
@Suite struct SliceAndRangeKernelTests {
    /// x = 0..<24 as [2, 3, 4].
    static let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))

    /// The elements numpy's x[a0, a1, a2] selects, each axis given as (start, count, step).
    static func reference(_ axes: [(start: Int, count: Int, step: Int)]) -> [Float] {
        var result: [Float] = []
        for i in 0..<axes[0].count {
            for j in 0..<axes[1].count {
                for k in 0..<axes[2].count {
                    let (a, b, c) = (
                        axes[0].start + i * axes[0].step, axes[1].start + j * axes[1].step,
                        axes[2].start + k * axes[2].step
                    )
                    result.append(Float(a * 12 + b * 4 + c))
                }
            }
        }
        return result
    }

    struct Case: Sendable {
        let starts: [Int64], ends: [Int64], axes: [Int64]?, steps: [Int64]?
        let shape: [Int]
        let selection: [(start: Int, count: Int, step: Int)]
    }

    static let cases: [Case] = [
        // x[:, 1:3, :]
        Case(starts: [1], ends: [3], axes: [1], steps: nil, shape: [2, 2, 4], selection: [(0, 2, 1), (1, 2, 1), (0, 4, 1)]),
        // x[1:, :, ::2] with negative-axis naming and a huge end
        Case(
            starts: [1, 0], ends: [Int64.max, 4], axes: [0, -1], steps: [1, 2], shape: [1, 3, 2],
            selection: [(1, 1, 1), (0, 3, 1), (0, 2, 2)]),
        // x[:, ::-1, -1:0:-2]
        Case(
            starts: [-1, -1], ends: [Int64.min, 0], axes: [1, 2], steps: [-1, -2], shape: [2, 3, 2],
            selection: [(0, 2, 1), (2, 3, -1), (3, 2, -2)]),
        // x[:, 5:9] is empty
        Case(starts: [5], ends: [9], axes: [1], steps: nil, shape: [2, 0, 4], selection: [(0, 2, 1), (0, 0, 1), (0, 4, 1)]),
    ]

    @Test(arguments: cases.indices)
    func slicesAsNumpy(_ index: Int) throws {
        let c = Self.cases[index]
        var constants = [
            ("starts", Tensor(shape: [c.starts.count], int64s: c.starts)), ("ends", Tensor(shape: [c.ends.count], int64s: c.ends)),
        ]
        if let axes = c.axes { constants.append(("axes", Tensor(shape: [axes.count], int64s: axes))) }
        if let steps = c.steps { constants.append(("steps", Tensor(shape: [steps.count], int64s: steps))) }
        let nodeInputs = ["x", "starts", "ends", c.axes == nil ? "" : "axes", c.steps == nil ? "" : "steps"]
        let y = try runOneNode(
            "Slice", inputs: [("x", Self.x)], constants: constants,
            nodeInputs: c.steps == nil ? (c.axes == nil ? Array(nodeInputs.prefix(3)) : Array(nodeInputs.prefix(4))) : nodeInputs)[0]
        #expect(y.shape == c.shape)
        #expect(y.scalars == Self.reference(c.selection))
    }

    @Test func aZeroStepIsNamed() {
        #expect {
            _ = try runOneNode(
                "Slice", inputs: [("x", Self.x)],
                constants: [
                    ("starts", Tensor(shape: [1], int64s: [0])), ("ends", Tensor(shape: [1], int64s: [2])),
                    ("axes", Tensor(shape: [1], int64s: [0])), ("steps", Tensor(shape: [1], int64s: [0])),
                ])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("Slice") && text.contains("steps [0] contain 0")
        }
    }

    @Test func rangeCountsUpAndDown() throws {
        let up = try runOneNode(
            "Range", inputs: [],
            constants: [
                ("s", Tensor(shape: [], int64s: [3])), ("l", Tensor(shape: [], int64s: [10])),
                ("d", Tensor(shape: [], int64s: [3])),
            ])[0]
        #expect(up.int64s == [3, 6, 9])
        let down = try runOneNode(
            "Range", inputs: [],
            constants: [
                ("s", Tensor(shape: [], int64s: [10])), ("l", Tensor(shape: [], int64s: [4])),
                ("d", Tensor(shape: [], int64s: [-2])),
            ])[0]
        #expect(down.int64s == [10, 8, 6])
        let empty = try runOneNode(
            "Range", inputs: [],
            constants: [
                ("s", Tensor(shape: [], int64s: [1])), ("l", Tensor(shape: [], int64s: [0])),
                ("d", Tensor(shape: [], int64s: [1])),
            ])[0]
        #expect(empty.shape == [0])
    }

    @Test func rangeWithAZeroDeltaIsNamed() {
        #expect {
            _ = try runOneNode(
                "Range", inputs: [],
                constants: [
                    ("s", Tensor(shape: [], int64s: [1])), ("l", Tensor(shape: [], int64s: [5])),
                    ("d", Tensor(shape: [], int64s: [0])),
                ])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("Range") && text.contains("delta is 0")
        }
    }
}
