import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

@Suite struct ReductionKernelTests {
    /// The fixture file holds every op family it is written for (an empty or cut file would
    /// make the parameterised test below pass with no cases).
    @Test func fixtureLoadsWithEveryFamily() throws {
        let cases = try KernelFixtureCase.load("misc_reduction.json")
        #expect(Set(cases.map(\.op)) == ["ArgMax", "ReduceMax", "ReduceMean", "ReduceSum"])
        #expect(cases.count == 30)
    }

    @Test(arguments: try KernelFixtureCase.load("misc_reduction.json"))
    func matchesReference(_ fixture: KernelFixtureCase) throws {
        try fixture.check()
    }

    /// ReduceMax propagates NaN (numpy, ONNX Runtime); ArgMax treats NaN as the largest value.
    @Test func nanPropagatesThroughMaxAndWinsArgMax() throws {
        let x = Tensor(shape: [2, 3], scalars: [1, .nan, 5, .nan, 2, .nan])
        let maximum = try runOneNode("ReduceMax", inputs: [("x", x)], attributes: [attribute("axes", ints: [1])])[0]
        #expect(maximum.shape == [2, 1])
        #expect(maximum.scalars.allSatisfy { $0.isNaN })
        let first = try runOneNode("ArgMax", inputs: [("x", x)], attributes: [attribute("axis", i: 1)])[0]
        #expect(first.int64s == [1, 0])
        let last = try runOneNode(
            "ArgMax", inputs: [("x", x)], attributes: [attribute("axis", i: 1), attribute("select_last_index", i: 1)])[
                0]
        #expect(last.int64s == [1, 2])
    }

    /// A long row against a Double sum: the 16-lane sum keeps float32 rounding small.
    @Test func longSumsStayAccurate() throws {
        let values = (0..<10_000).map { Float(sin(Double($0))) + 0.5 }
        let y = try runOneNode(
            "ReduceSum", inputs: [("x", Tensor(shape: [1, 10_000], scalars: values))],
            constants: [("axes", Tensor(shape: [1], int64s: [1]))])[0]
        let want = values.reduce(0.0) { $0 + Double($1) }
        // 10⁴ float32 additions in 16 lanes: error well below 1e-5 relative.
        #expect(abs(Double(y.scalars[0]) - want) <= 1e-5 * want)
    }

    @Test func integerInputIsABindError() throws {
        let x = Tensor(shape: [2, 2], int64s: [1, 2, 3, 4])
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode("ReduceSum", inputs: [("x", x)])
        }
        #expect(error.code == "runtime.bind")
        #expect(error.description.hasPrefix("ReduceSum 'n': input 0 is int64"))
    }

    @Test func repeatedAxesSurfaceFromShapeInference() throws {
        let x = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode("ReduceMean", inputs: [("x", x)], attributes: [attribute("axes", ints: [1, -1])])
        }
        #expect(error.code == "runtime.compile")
        #expect(error.description.contains("ReduceMean 'n'"))
    }
}
