import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelRuntime

/// Shape, ConstantOfShape and Expand against their ONNX definitions, written out here.
@Suite struct ShapeComputationKernelTests {
    static func int(_ name: String, _ value: Int) -> ProtoAttribute {
        var attribute = ProtoAttribute()
        attribute.name = name
        attribute.i = Int64(value)
        return attribute
    }

    @Test(arguments: [
        ([ProtoAttribute](), [Int64]([2, 3, 4, 5])), ([int("start", 1)], [3, 4, 5]), ([int("end", -1)], [2, 3, 4]),
        ([int("start", -3), int("end", 3)], [3, 4]), ([int("start", 3), int("end", 1)], []),
        ([int("start", -10), int("end", 10)], [2, 3, 4, 5]),
    ])
    func shapeSlicesTheDims(_ attributes: [ProtoAttribute], _ expected: [Int64]) throws {
        let x = Tensor(zeros: [2, 3, 4, 5])
        let y = try runOneNode("Shape", inputs: [("x", x)], attributes: attributes)[0]
        #expect(y.elementType == .int64 && y.shape == [expected.count])
        #expect(y.int64s == expected)
    }

    @Test func constantOfShapeFillsWithValue() throws {
        let zeros = try runOneNode("ConstantOfShape", inputs: [], constants: [("s", Tensor(shape: [2], int64s: [2, 3]))])[0]
        #expect(zeros.shape == [2, 3] && zeros.elementType == .float32 && zeros.scalars == Array(repeating: 0, count: 6))
        var value = ProtoAttribute()
        value.name = "value"
        value.t.dataType = .int64
        value.t.dims = [1]
        value.t.int64Data = [7]
        let sevens = try runOneNode(
            "ConstantOfShape", inputs: [], constants: [("s", Tensor(shape: [1], int64s: [3]))], attributes: [value])[0]
        #expect(sevens.int64s == [7, 7, 7])
    }

    @Test func constantOfShapeRefusesANegativeDim() {
        #expect {
            _ = try runOneNode("ConstantOfShape", inputs: [], constants: [("s", Tensor(shape: [2], int64s: [2, -1]))])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("ConstantOfShape") && text.contains("negative")
        }
    }

    /// Expand broadcasts both ways: [3,1] with shape [2,1,4] gives [2,3,4].
    @Test func expandBroadcastsBothWays() throws {
        let x = Tensor(shape: [3, 1], scalars: [1, 2, 3])
        let y = try runOneNode("Expand", inputs: [("x", x)], constants: [("s", Tensor(shape: [3], int64s: [2, 1, 4]))])[0]
        #expect(y.shape == [2, 3, 4])
        let want = (0..<24).map { index in Float((index / 4) % 3 + 1) }
        #expect(y.scalars == want)
        let integers = try runOneNode(
            "Expand", inputs: [("x", Tensor(shape: [2], int64s: [5, 6]))],
            constants: [("s", Tensor(shape: [2], int64s: [2, 1]))])[0]
        #expect(integers.shape == [2, 2] && integers.int64s == [5, 6, 5, 6])
    }

    @Test func expandToAnIncompatibleShapeIsNamed() {
        #expect {
            _ = try runOneNode(
                "Expand", inputs: [("x", Tensor(shape: [3], scalars: [1, 2, 3]))],
                constants: [("s", Tensor(shape: [1], int64s: [2]))])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("Expand") && text.contains("broadcast")
        }
    }
}
