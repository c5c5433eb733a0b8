import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelRuntime

/// Erf, HardSigmoid, HardSwish, Reciprocal, Sign, Floor, Ceil and Round against their ONNX
/// definitions, written here in Double.
@Suite struct PointwiseMathKernelTests {
    static let x: [Float] = [-100, -3.5, -3, -0.5, 0, 0.25, 1.5, 2, 3, 30]

    static func hardSigmoid(_ v: Double, alpha: Double = 0.2, beta: Double = 0.5) -> Double {
        max(0, min(1, alpha * v + beta))
    }

    static let cases: [(String, [ProtoAttribute], @Sendable (Double) -> Double)] = [
        ("Erf", [], { Foundation.erf($0) }),
        ("HardSigmoid", [], { hardSigmoid($0) }),
        ("HardSigmoid", [attribute("alpha", f: 0.5), attribute("beta", f: 0.25)], { hardSigmoid($0, alpha: 0.5, beta: 0.25) }),
        ("HardSwish", [], { $0 * hardSigmoid($0, alpha: 1.0 / 6, beta: 0.5) }),
        ("Sign", [], { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }),
        ("Floor", [], { Foundation.floor($0) }),
        ("Ceil", [], { Foundation.ceil($0) }),
        ("Round", [], { $0.rounded(.toNearestOrEven) }),
    ]

    @Test(arguments: cases.indices)
    func matchesTheDefinition(_ index: Int) throws {
        let (op, attributes, formula) = Self.cases[index]
        let y = try runOneNode(op, inputs: [("x", Tensor(shape: [2, 5], scalars: Self.x))], attributes: attributes)[0]
        #expect(y.shape == [2, 5])
        for (got, input) in zip(y.scalars, Self.x) {
            let want = formula(Double(input))
            #expect(abs(Double(got) - want) <= 1e-6 * abs(want) + 1e-7, "\(op)(\(input)) = \(got), want \(want)")
        }
    }

    @Test func roundTakesHalvesToEven() throws {
        let halves: [Float] = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5]
        let y = try runOneNode("Round", inputs: [("x", Tensor(shape: [6], scalars: halves))])[0]
        #expect(y.scalars == [0, 2, 2, -0, -2, -2])
    }

    @Test func reciprocalAndSignKeepInfinitiesAndNaN() throws {
        let values: [Float] = [4, -0.5, 0, .infinity, .nan]
        let reciprocal = try runOneNode("Reciprocal", inputs: [("x", Tensor(shape: [5], scalars: values))])[0].scalars
        #expect(Array(reciprocal.prefix(4)) == [0.25, -2, .infinity, 0])
        #expect(reciprocal[4].isNaN)
        let sign = try runOneNode("Sign", inputs: [("x", Tensor(shape: [5], scalars: values))])[0].scalars
        #expect(Array(sign.prefix(4)) == [1, -1, 0, 1])
        #expect(sign[4].isNaN)
    }

    /// An integer input is refused at bind time with the node named, not run as floats.
    @Test(arguments: ["Erf", "HardSigmoid", "HardSwish", "Reciprocal", "Sign", "Floor", "Ceil", "Round"])
    func integerInputIsABindError(_ op: String) {
        #expect {
            _ = try runOneNode(op, inputs: [("x", Tensor(shape: [3], int64s: [1, 2, 3]))])
        } throws: { error in
            let text = String(describing: error)
            return text.contains(op) && text.contains("'n'") && text.contains("int64")
        }
    }
}
