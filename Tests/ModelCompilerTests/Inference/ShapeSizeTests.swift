import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

/// Shape arithmetic on values from a file never traps (issue 13): a resolved shape whose
/// element count or byte size overflows, or passes `FormatLimits.maxTensorBytes`, is a typed
/// `shape.too-large` error at check time when the shape is static.
@Suite struct ShapeSizeTests {
    private func errors(_ source: String) throws -> [Diagnostic] {
        ModelCheck.run(try HostileModels.parse(source)).filter { $0.severity == .error }
    }

    /// [2^62, 4, 2^40] has 2^104 elements: the product overflows.
    @Test func reshapeToAnOverflowingShape() throws {
        let errors = try errors(HostileModels.reshape(to: [1 << 62, 4, 1 << 40]))
        #expect(errors.map(\.code) == ["shape.too-large"], "\(errors.map(\.rendered))")
        #expect(errors.first?.location.node == "r")
        #expect(errors.first?.message == "'y' would be [4611686018427387904,4,1099511627776]: its size overflows a 64-bit integer")
    }

    /// [2^30, 2^30] float32 is 2^62 bytes: representable, but over the 4 GiB tensor limit.
    @Test func reshapeToAShapeOverTheLimit() throws {
        let errors = try errors(HostileModels.reshape(to: [1 << 30, 1 << 30]))
        #expect(errors.map(\.code) == ["shape.too-large"])
        #expect(errors.first?.message == "'y' would be [1073741824,1073741824]: 4611686018427387904 bytes, over the limit of 4294967296")
    }

    /// A declared input extent near Int.max plus pads: the window arithmetic is checked.
    @Test func convOverAnInputExtentNearIntMax() throws {
        let nearMax = Int.max - 100
        let source = HostileModels.text(
            inputDims: ["N", 1, nearMax, 5],
            nodes: """
                node { name: "conv" op_type: "Conv" input: ["x", "W"] output: "y"
                  attribute { name: "pads" ints: [2147483647, 0, 2147483647, 0] } }
                """,
            initializers: "initializer { name: \"W\" dims: [1, 1, 3, 3] float_data: [1, 1, 1, 1, 1, 1, 1, 1, 1] }")
        let errors = try errors(source)
        #expect(errors.map(\.code) == ["shape.too-large"], "\(errors.map(\.rendered))")
        #expect(errors.first?.message.hasPrefix("spatial axis 0 of \(nearMax) elements with pads") == true)
    }

    @Test func convTransposeOverAnInputExtentNearIntMax() throws {
        let source = HostileModels.text(
            inputDims: ["N", 1, Int.max / 2, 5],
            nodes: """
                node { name: "up" op_type: "ConvTranspose" input: ["x", "W"] output: "y"
                  attribute { name: "strides" ints: [4, 1] } }
                """,
            initializers: "initializer { name: \"W\" dims: [1, 1, 3, 3] float_data: [1, 1, 1, 1, 1, 1, 1, 1, 1] }")
        let errors = try errors(source)
        #expect(errors.map(\.code) == ["shape.too-large"], "\(errors.map(\.rendered))")
    }

    /// A static graph input over the limit is reported too.
    @Test func staticInputOverTheLimit() throws {
        let source = HostileModels.text(
            inputDims: [1 << 40, 1 << 30], nodes: "node { name: \"a\" op_type: \"Relu\" input: \"x\" output: \"y\" }")
        let errors = try errors(source)
        #expect(errors.first?.code == "shape.too-large")
        #expect(errors.first?.location.field == "graph.input")
    }

    /// Split sizes whose sum passes Int64 (it trapped in `reduce(0, +)`).
    @Test func splitSizesThatOverflow() throws {
        let source = HostileModels.text(
            inputDims: ["N", 4],
            nodes: "node { name: \"cut\" op_type: \"Split\" input: [\"x\", \"sizes\"] output: [\"y\", \"y2\"] attribute { name: \"axis\" i: 1 } }",
            initializers: "initializer { name: \"sizes\" data_type: INT64 dims: 2 int64_data: [9223372036854775807, 5] }")
        let errors = try errors(source)
        #expect(errors.map(\.code) == ["shape.split"], "\(errors.map(\.rendered))")
        #expect(errors.first?.message.hasPrefix("split [9223372036854775807, 5] sums past a 64-bit integer") == true)
    }

    @Test func dimSumsThatOverflowBecomeUnknown() {
        #expect(Dim.fixed(Int.max) + .fixed(1) == .unknown)
        #expect(Dim.product(Int.max / 2 + 1, "N") + .product(Int.max / 2 + 1, "N") == .unknown)
        #expect(Dim.fixed(3) + .fixed(4) == .fixed(7))
        #expect(Dim.exactQuotient(.fixed(Int.min), .fixed(-1)) == nil)
    }

    @Test func checkedHelpers() {
        #expect(Shape.checkedElementCount([1 << 62, 4, 1 << 40]) == nil)
        #expect(Shape.checkedElementCount([2, -1]) == nil)
        #expect(Shape.checkedElementCount([]) == 1)
        #expect(Shape.checkedElementCount([3, 0, 1 << 62]) == 0)
        #expect(Shape.checkedByteCount([1 << 61], elementSize: 4) == nil)
        #expect(Shape.checkedByteCount([5, 7], elementSize: 4) == 140)
    }
}
