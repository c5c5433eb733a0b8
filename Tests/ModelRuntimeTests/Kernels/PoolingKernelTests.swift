import Foundation
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// MaxPool (with Indices), AveragePool and GlobalAveragePool against onnxruntime (fixtures from
/// `scripts/fixtures/make_conv_pool_fixtures.py`), plus closed forms and bad nodes.
@Suite struct PoolingKernelTests {
    @Test func fixtureLoadsWithEveryFamily() throws {
        let cases = try KernelFixtureCase.load("pool.json")
        #expect(Set(cases.map(\.op)) == ["MaxPool", "AveragePool", "GlobalAveragePool"])
        #expect(cases.contains { $0.outputs.count == 2 }, "some MaxPool case requests Indices")
        #expect(cases.count >= 30)
    }

    @Test(arguments: try KernelFixtureCase.load("pool.json"))
    func matchesReference(_ testCase: KernelFixtureCase) throws {
        try testCase.check()
    }

    /// Padded elements count in the average only when count_include_pad = 1, and never win a max.
    ///
    /// A 4×4 ramp, 2×2 windows at stride 3 with pads 1: the windows hold 1, 2, 2 and 4 real
    /// elements. count_include_pad = 1 divides by 4, 0 by the real count; MaxPool pads with −∞.
    @Test func paddingCountsAsTheAttributeSays() throws {
        let x = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map { Float($0) })
        let window = [
            attribute("kernel_shape", ints: [2, 2]), attribute("strides", ints: [3, 3]),
            attribute("pads", ints: [1, 1, 1, 1]),
        ]
        // Windows start at rows/columns −1 and 2; their real elements sum to 0, 2+3, 8+12, 10+11+14+15.
        let included = try runOneNode(
            "AveragePool", inputs: [("x", x)], attributes: window + [attribute("count_include_pad", i: 1)])[0]
        #expect(included.shape == [1, 1, 2, 2])
        let includedExpected: [Float] = [0.0 / 4, 5.0 / 4, 20.0 / 4, 50.0 / 4]
        #expect(included.scalars == includedExpected)
        let excluded = try runOneNode(
            "AveragePool", inputs: [("x", x)], attributes: window + [attribute("count_include_pad", i: 0)])[0]
        let excludedExpected: [Float] = [0.0 / 1, 5.0 / 2, 20.0 / 2, 50.0 / 4]
        #expect(excluded.scalars == excludedExpected)
        let negated = Tensor(shape: [1, 1, 4, 4], scalars: (0..<16).map { -Float($0) - 1 })
        let maxima = try runOneNode("MaxPool", inputs: [("x", negated)], attributes: window, outputs: 2)
        #expect(maxima[0].scalars == [-1, -3, -9, -11], "padding never wins over a negative element")
        #expect(maxima[1].int64s == [0, 2, 8, 10])
    }

    @Test func indicesIncludeTheBatchAndChannelOffsets() throws {
        // [2,3,2,2] → one window per image; the maximum sits at a different corner in each.
        var values = [Float](repeating: 0, count: 24)
        for plane in 0..<6 { values[plane * 4 + plane % 4] = 1 }
        let y = try runOneNode(
            "MaxPool", inputs: [("x", Tensor(shape: [2, 3, 2, 2], scalars: values))],
            attributes: [attribute("kernel_shape", ints: [2, 2])], outputs: 2)
        #expect(y[1].shape == [2, 3, 1, 1])
        let expected: [Int64] = (0..<6).map { plane in Int64(plane * 4 + plane % 4) }
        #expect(y[1].int64s == expected)
    }

    @Test func poolingCoversOneToThreeSpatialAxes() throws {
        let cases = try KernelFixtureCase.load("pool.json")
        for op in ["MaxPool", "AveragePool", "GlobalAveragePool"] {
            let ranks = Set(cases.filter { $0.op == op }.compactMap { $0.inputs.first?.shape.count })
            #expect(ranks == [3, 4, 5], "\(op): fixture ranks \(ranks)")
        }
    }

    @Test func indicesOutsideTwoSpatialAxesAreRejectedAtBind() throws {
        // Indices come from the Swift kernel, which covers 2-D windows only.
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(
                "MaxPool", inputs: [("x", Tensor(shape: [1, 2, 6], scalars: (0..<12).map { Float($0) }))],
                attributes: [attribute("kernel_shape", ints: [2])], outputs: 2)
        }
        #expect(error.description.hasPrefix("MaxPool 'n': "), "\(error)")
        #expect(error.description.contains("2-D"), "\(error)")
    }
}
