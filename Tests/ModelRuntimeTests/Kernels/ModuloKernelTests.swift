import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

/// Mod against the definitions: fmod = 0 is floored division's remainder x − y·⌊x/y⌋ (the sign
/// of the divisor, Python's %), fmod = 1 truncated division's x − y·trunc(x/y) (the sign of the
/// dividend, C's fmod), computed here in Double.
@Suite struct ModuloKernelTests {
    static let a: [Int64] = [7, -7, 7, -7, 0, 5, 13, -13]
    static let b: [Int64] = [3, 3, -3, -3, 4, 5, 4, 4]

    @Test(arguments: [0, 1])
    func integerRemaindersFollowTheirDefinition(fmod: Int) throws {
        let y = try runOneNode(
            "Mod", inputs: [("a", Tensor(shape: [8], int64s: Self.a)), ("b", Tensor(shape: [8], int64s: Self.b))],
            attributes: [attribute("fmod", i: fmod)])[0]
        for (index, (x, d)) in zip(Self.a, Self.b).enumerated() {
            let quotient = Double(x) / Double(d)
            let want = Double(x) - Double(d) * (fmod == 0 ? quotient.rounded(.down) : quotient.rounded(.towardZero))
            #expect(Double(y.int64s[index]) == want, "\(x) mod \(d), fmod \(fmod)")
        }
    }

    @Test func broadcastsAndNeverTraps() throws {
        // [2,3] mod [3]: a zero divisor gives 0 (numpy's result) and Int64.min mod −1 gives 0
        // (the true remainder), where Swift's % would trap on both.
        let y = try runOneNode(
            "Mod",
            inputs: [
                ("a", Tensor(shape: [2, 3], int64s: [9, Int64.min, 5, -9, 4, -5])),
                ("b", Tensor(shape: [3], int64s: [0, -1, 4])),
            ])[0]
        #expect(y.shape == [2, 3])
        #expect(y.int64s == [0, 0, 1, 0, 0, 3])
    }

    @Test(arguments: [0, 1])
    func floatRemaindersFollowTheirDefinition(fmod: Int) throws {
        let a: [Float] = [5.5, -5.5, 5.5, -5.5, 0.75]
        let b: [Float] = [2, 2, -2, -2, 0.5]
        let y = try runOneNode(
            "Mod", inputs: [("a", Tensor(shape: [5], scalars: a)), ("b", Tensor(shape: [5], scalars: b))],
            attributes: [attribute("fmod", i: fmod)])[0]
        for index in 0..<5 {
            let (x, d) = (Double(a[index]), Double(b[index]))
            let want = x - d * (fmod == 0 ? (x / d).rounded(.down) : (x / d).rounded(.towardZero))
            #expect(abs(Double(y.scalars[index]) - want) < 1e-6, "\(x) mod \(d), fmod \(fmod)")
        }
    }

    @Test func mixedTypesAndBadFlagsAreRefused() throws {
        let floats = Tensor(shape: [2], scalars: [1, 2])
        #expect(throws: RuntimeError.self) {
            try runOneNode(
                "Mod", inputs: [("a", floats), ("b", Tensor(shape: [2], int64s: [1, 2]))],
                attributes: [attribute("fmod", i: 1)])
        }
        #expect(throws: RuntimeError.self) {
            try runOneNode(
                "Mod", inputs: [("a", floats), ("b", floats)], attributes: [attribute("fmod", i: 2)])
        }
    }
}
