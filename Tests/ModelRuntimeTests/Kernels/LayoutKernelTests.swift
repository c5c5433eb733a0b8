import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

@Suite struct LayoutKernelTests {
    /// The fixture file holds every op family it is written for (an empty or cut file would
    /// make the parameterised test below pass with no cases).
    @Test func fixtureLoadsWithEveryFamily() throws {
        let cases = try KernelFixtureCase.load("misc_layout.json")
        #expect(Set(cases.map(\.op)) == ["Cast", "Concat", "Gather", "Split", "Transpose"])
        #expect(cases.count == 35)
    }

    @Test(arguments: try KernelFixtureCase.load("misc_layout.json"))
    func matchesReference(_ fixture: KernelFixtureCase) throws {
        try fixture.check()
    }

    @Test func transposeRankMismatchSurfacesFromShapeInference() throws {
        let x = Tensor(shape: [2, 3, 4], scalars: (0..<24).map(Float.init))
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode("Transpose", inputs: [("x", x)], attributes: [attribute("perm", ints: [1, 0])])
        }
        #expect(error.code == "runtime.compile")
        #expect(error.description.contains("Transpose 'n'"))
        #expect(error.description.contains("perm [1, 0] is not a permutation of the 3 axes"))
    }

    /// Fed indices out of range cannot fail the run: float rows become NaN, integer rows 0;
    /// the valid rows around them are gathered as usual.
    @Test func outOfRangeFedIndicesPoisonTheirRows() throws {
        let data = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let indices = Tensor(shape: [4], int64s: [2, 3, -4, -3])
        let y = try runOneNode("Gather", inputs: [("data", data), ("indices", indices)])[0]
        #expect(y.shape == [4, 2])
        let values = y.scalars
        #expect(Array(values[0..<2]) == [5, 6])
        #expect(values[2..<6].allSatisfy { $0.isNaN })
        #expect(Array(values[6..<8]) == [1, 2])

        let integers = Tensor(shape: [3, 2], int64s: [1, 2, 3, 4, 5, 6])
        let z = try runOneNode("Gather", inputs: [("data", integers), ("indices", indices)])[0]
        #expect(z.int64s == [5, 6, 0, 0, 0, 0, 1, 2])
    }

    @Test func outOfRangeConstantIndicesAreABindError() throws {
        let data = Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6])
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(
                "Gather", inputs: [("data", data)], constants: [("indices", Tensor(shape: [2], int64s: [0, 3]))],
                attributes: [attribute("axis", i: 0)])
        }
        #expect(error.code == "runtime.bind")
        #expect(error.description.hasPrefix("Gather 'n': index 3 is out of range for axis 0"))
    }

    /// Out-of-range, infinite and NaN floats cast to integers saturate (NaN → 0); ONNX leaves them undefined.
    @Test func castSaturatesWhereOnnxIsUndefined() throws {
        let x = Tensor(shape: [6], scalars: [.nan, .infinity, -.infinity, 3e9, -3e9, -0.9])
        let cases: [(Int, [Int64])] = [
            (7, [0, .max, .min, 3_000_000_000, -3_000_000_000, 0]),  // INT64
            (6, [0, Int64(Int32.max), Int64(Int32.min), Int64(Int32.max), Int64(Int32.min), 0]),  // INT32
            (2, [0, 255, 0, 255, 0, 0]),  // UINT8
            (9, [1, 1, 1, 1, 1, 1]),  // BOOL: x != 0
        ]
        for (code, want) in cases {
            let y = try runOneNode("Cast", inputs: [("x", x)], attributes: [attribute("to", i: code)])[0]
            #expect(y.int64s == want, "to = \(code)")
        }
    }

    @Test func castToFloat16RoundsToHalfPrecision() throws {
        let x = Tensor(shape: [3], scalars: [0.1, 70000, 1 + 1.0 / 4096])
        let y = try runOneNode("Cast", inputs: [("x", x)], attributes: [attribute("to", i: 10)])[0]
        #expect(y.elementType == .float32)  // float16 is stored as float32 in the runtime
        #expect(y.scalars == [Float(Float16(0.1)), .infinity, 1])
    }

    @Test func castToATypeTheRuntimeDoesNotStoreIsABindError() throws {
        let x = Tensor(shape: [2], scalars: [1, 2])
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode("Cast", inputs: [("x", x)], attributes: [attribute("to", i: 11)])  // DOUBLE
        }
        #expect(error.code == "runtime.bind")
        #expect(error.description.hasPrefix("Cast 'n': to = 11"))
    }

    @Test func concatOfMismatchedShapesSurfacesFromShapeInference() throws {
        let a = Tensor(shape: [2, 3], scalars: Array(repeating: 1, count: 6))
        let b = Tensor(shape: [3, 2], scalars: Array(repeating: 2, count: 6))
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode("Concat", inputs: [("a", a), ("b", b)], attributes: [attribute("axis", i: 0)])
        }
        #expect(error.code == "runtime.compile")
        #expect(error.description.contains("Concat 'n'"))
    }
}
