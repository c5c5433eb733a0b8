import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

/// And, Or, Xor, Not, IsNaN, IsInf, LessOrEqual and GreaterOrEqual against their truth tables
/// and IEEE classifications, written out here.
@Suite struct LogicKernelTests {
    private func bools(_ shape: [Int], _ values: [Bool]) throws -> Tensor {
        try #require(Tensor(shape: shape, type: .bool, bytes: Data(values.map { $0 ? 1 : 0 })))
    }

    private func values(_ tensor: Tensor) -> [Bool] {
        tensor.withUnsafeBytes { bytes in bytes.map { $0 != 0 } }
    }

    @Test(arguments: [("And", [false, false, false, true]), ("Or", [false, true, true, true]), ("Xor", [false, true, true, false])])
    func truthTablesBroadcast(op: String, table: [Bool]) throws {
        // A [4,1] against B [2]: row r of A meets both values of B; A's rows are F, F, T, T.
        let a = try bools([4, 1], [false, false, true, true])
        let b = try bools([2], [false, true])
        let c = try runOneNode(op, inputs: [("a", a), ("b", b)])[0]
        #expect(c.shape == [4, 2] && c.elementType == .bool)
        let expected = [false, false, true, true].flatMap { p in
            [false, true].map { q in table[(p ? 2 : 0) + (q ? 1 : 0)] }
        }
        #expect(values(c) == expected)
    }

    @Test func notNegates() throws {
        let y = try runOneNode("Not", inputs: [("x", try bools([3], [true, false, true]))])[0]
        #expect(values(y) == [false, true, false])
    }

    @Test func classificationsFollowIEEE() throws {
        let x = Tensor(shape: [5], scalars: [.nan, .infinity, -.infinity, 0, -3])
        #expect(values(try runOneNode("IsNaN", inputs: [("x", x)])[0]) == [true, false, false, false, false])
        #expect(values(try runOneNode("IsInf", inputs: [("x", x)])[0]) == [false, true, true, false, false])
        let positiveOnly = try runOneNode("IsInf", inputs: [("x", x)], attributes: [attribute("detect_negative", i: 0)])
        #expect(values(positiveOnly[0]) == [false, true, false, false, false])
    }

    @Test func orderingWithEqualityAndNaN() throws {
        let a = Tensor(shape: [4], scalars: [1, 2, 3, .nan])
        let b = Tensor(shape: [4], scalars: [2, 2, 2, 0])
        #expect(values(try runOneNode("LessOrEqual", inputs: [("a", a), ("b", b)])[0]) == [true, true, false, false])
        #expect(values(try runOneNode("GreaterOrEqual", inputs: [("a", a), ("b", b)])[0]) == [false, true, true, false])
        let ints = try runOneNode(
            "GreaterOrEqual",
            inputs: [("a", Tensor(shape: [3], int64s: [-1, 5, 7])), ("b", Tensor(shape: [1], int64s: [5]))])[0]
        #expect(values(ints) == [false, true, true])
    }

    @Test func wrongElementTypesAreRefused() throws {
        let floats = Tensor(shape: [2], scalars: [1, 0])
        #expect(throws: RuntimeError.self) { try runOneNode("And", inputs: [("a", floats), ("b", floats)]) }
        #expect(throws: RuntimeError.self) { try runOneNode("Not", inputs: [("x", floats)]) }
        #expect(throws: RuntimeError.self) {
            try runOneNode("IsNaN", inputs: [("x", Tensor(shape: [2], int64s: [1, 2]))])
        }
        #expect(throws: RuntimeError.self) {
            try runOneNode("IsInf", inputs: [("x", floats)], attributes: [attribute("detect_positive", i: 3)])
        }
    }
}
