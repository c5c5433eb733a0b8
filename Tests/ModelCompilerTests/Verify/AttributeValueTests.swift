import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

/// `modelc check` rejects every attribute value a kernel would not execute as written (issue
/// 13): the typed attribute structs decode the same way for the checker, the shape rule and
/// the kernel. Before them, any non-zero `transB` read as "transposed" in the checker and
/// as "not transposed" in the kernel (heap corruption), and 2^40 pads overflowed (SIGILL).
@Suite struct AttributeValueTests {
    /// The findings of `modelc check` on `source`.
    private func check(_ source: String) throws -> [Diagnostic] {
        ModelCheck.run(try HostileModels.parse(source))
    }

    @Test(arguments: [Int64(2), -1, 1 << 31, 1 << 56])
    func gemmTransposeFlagsOutsideZeroOne(value: Int64) throws {
        for source in [HostileModels.gemm(transB: value), HostileModels.gemm(transB: 1, transA: value)] {
            let errors = try check(source).filter { $0.severity == .error }
            let error = try #require(errors.first, "\(value) was accepted")
            #expect(errors.count == 1)
            #expect(error.code == "node.attribute-value")
            #expect(error.location.node == "fc" && error.location.op == "Gemm")
            let name = source.contains("transA\" i: \(value)") ? "transA" : "transB"
            #expect(error.location.field == "attribute['\(name)']")
            #expect(error.message == "\(name) is \(value); it must be 0 or 1")
        }
    }

    @Test func gemmFlagsZeroAndOneAreAccepted() throws {
        #expect(try check(HostileModels.gemm(transB: 1)).filter { $0.severity == .error }.isEmpty)
    }

    /// Every other 0/1 flag, on the op that defines it.
    @Test(arguments: [
        ("ReduceMean", "keepdims", "node { name: \"n\" op_type: \"ReduceMean\" input: \"x\" output: \"y\" FLAG }"),
        ("ArgMax", "keepdims", "node { name: \"n\" op_type: \"ArgMax\" input: \"x\" output: \"y\" FLAG }"),
        ("ArgMax", "select_last_index", "node { name: \"n\" op_type: \"ArgMax\" input: \"x\" output: \"y\" FLAG }"),
        ("ReduceSum", "noop_with_empty_axes", "node { name: \"n\" op_type: \"ReduceSum\" input: \"x\" output: \"y\" FLAG }"),
        ("Reshape", "allowzero", "node { name: \"n\" op_type: \"Reshape\" input: [\"x\", \"s\"] output: \"y\" FLAG }"),
    ])
    func otherFlagsOutsideZeroOne(op: String, flag: String, node: String) throws {
        let source = HostileModels.text(
            inputDims: ["N", 4], nodes: node.replacingOccurrences(of: "FLAG", with: "attribute { name: \"\(flag)\" i: 2 }"),
            initializers: "initializer { name: \"s\" data_type: INT64 dims: 2 int64_data: [-1, 2] }")
        let errors = try check(source).filter { $0.severity == .error }
        #expect(errors.map(\.code) == ["node.attribute-value"], "\(errors.map(\.rendered))")
        #expect(errors.first?.location.field == "attribute['\(flag)']")
        #expect(errors.first?.message == "\(flag) is 2; it must be 0 or 1")
    }

    @Test(arguments: [
        ("attribute { name: \"ceil_mode\" i: 2 }", "ceil_mode", "ceil_mode is 2; it must be 0 or 1"),
        ("attribute { name: \"storage_order\" i: -1 }", "storage_order", "storage_order is -1; it must be 0 or 1"),
        ("attribute { name: \"strides\" ints: [0, 1] }", "strides", "strides [0, 1] has 0; each entry must lie in 1...2147483647"),
        ("attribute { name: \"dilations\" ints: [1, -3] }", "dilations", "dilations [1, -3] has -3; each entry must lie in 1...2147483647"),
        ("attribute { name: \"pads\" ints: [0, -1, 0, 0] }", "pads", "pads [0, -1, 0, 0] has -1; each entry must lie in 0...2147483647"),
        ("attribute { name: \"pads\" ints: [1099511627776, 0, 0, 0] }", "pads",
         "pads [1099511627776, 0, 0, 0] has 1099511627776; each entry must lie in 0...2147483647"),
        ("attribute { name: \"pads\" ints: [4611686018427387904, 4611686018427387904, 0, 0] }", "pads",
         "pads [4611686018427387904, 4611686018427387904, 0, 0] has 4611686018427387904; each entry must lie in 0...2147483647"),
    ])
    func maxPoolWindowValues(attribute: String, name: String, message: String) throws {
        let errors = try check(HostileModels.maxPool(attribute)).filter { $0.severity == .error }
        #expect(errors.map(\.code) == ["node.attribute-value"], "\(errors.map(\.rendered))")
        #expect(errors.first?.location.field == "attribute['\(name)']")
        #expect(errors.first?.message == message)
    }

    @Test func averagePoolCountIncludePadAndConvGroup() throws {
        let pool = HostileModels.text(
            inputDims: ["N", 1, 4, 4],
            nodes: """
                node { name: "p" op_type: "AveragePool" input: "x" output: "y"
                  attribute { name: "kernel_shape" ints: [2, 2] } attribute { name: "count_include_pad" i: 3 } }
                """)
        #expect(try check(pool).first?.message == "count_include_pad is 3; it must be 0 or 1")
        let conv = try check(HostileModels.conv("attribute { name: \"group\" i: 0 }"))
        #expect(conv.first?.code == "node.attribute-value")
        #expect(conv.first?.message == "group is 0; it must lie in 1...2147483647")
        let kernel = try check(HostileModels.conv("attribute { name: \"kernel_shape\" ints: [0, 3] }"))
        #expect(kernel.first?.message == "kernel_shape [0, 3] has 0; each entry must lie in 1...2147483647")
    }

    /// Counts need the rank, so the shape rule reports them (with the same decoder).
    @Test(arguments: [
        ("attribute { name: \"strides\" ints: [1, 1, 1] }", "strides [1, 1, 1] has 3 entries; 2 spatial axes need 2"),
        ("attribute { name: \"pads\" ints: [1, 1] }", "pads [1, 1] has 2 entries; 2 spatial axes need 4"),
        ("attribute { name: \"dilations\" ints: [1] }", "dilations [1] has 1 entries; 2 spatial axes need 2"),
    ])
    func windowListsOfTheWrongLength(attribute: String, message: String) throws {
        for source in [HostileModels.maxPool(attribute), HostileModels.conv(attribute)] {
            let errors = try check(source).filter { $0.severity == .error }
            #expect(errors.map(\.code) == ["shape.attribute-value"], "\(errors.map(\.rendered))")
            #expect(errors.first?.message.hasPrefix(message) == true, "\(errors.first?.message ?? "")")
        }
    }

    @Test func reduceAxesOutOfRange() throws {
        #expect(throws: AttributeError("axes", "axis -1 appears twice in axes [1, -1]")) {
            try ReduceAttributes.normalized([1, -1], rank: 2)
        }
        #expect(try ReduceAttributes.normalized([-1, 0], rank: 3) == [2, 0])
        let source = HostileModels.text(
            inputDims: ["N", 4],
            nodes: "node { name: \"n\" op_type: \"ReduceMean\" input: \"x\" output: \"y\" attribute { name: \"axes\" ints: [2] } }")
        let errors = try check(source).filter { $0.severity == .error }
        #expect(errors.map(\.code) == ["shape.attribute-value"])
        #expect(errors.first?.message.hasPrefix("axis 2 of axes [2] is out of range for rank 2") == true)
    }

    /// The decoders themselves: defaults, and a flag read as a Bool only when it is 0 or 1.
    @Test func decodersApplyDefaultsAndRanges() throws {
        let empty = Attributes([])
        let gemm = try GemmAttributes(empty)
        #expect(gemm == (try GemmAttributes(empty)))
        #expect(!gemm.transA && !gemm.transB && gemm.alpha == 1 && gemm.beta == 1)
        let pool = try PoolAttributes(empty)
        #expect(pool.window.autoPad == .notSet && !pool.ceilMode && !pool.countIncludePad)
        let window = try pool.window.resolved(spatialRank: 2, kernel: [3, 3])
        #expect(window.strides == [1, 1] && window.dilations == [1, 1] && window.pads == [0, 0, 0, 0])
        #expect(try ReduceAttributes(empty).keepDims)
        var attributes = Attributes([])
        attributes.set("transB", int: 1)
        #expect(try GemmAttributes(attributes).transB)
        attributes.set("transB", int: 2)
        #expect(throws: AttributeError("transB", "transB is 2; it must be 0 or 1")) { try GemmAttributes(attributes) }
        attributes.set("auto_pad", string: "SAME")
        #expect(throws: AttributeError.self) { try WindowAttributes(attributes) }
    }
}
