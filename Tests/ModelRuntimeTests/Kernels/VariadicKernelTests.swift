import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelRuntime

/// Max, Min, Sum, Mean over several broadcast inputs, against index arithmetic written here.
@Suite struct VariadicKernelTests {
    /// Inputs of shapes [2,3], [3] and [2,1], values chosen so every pair differs.
    static let a: [Float] = [1, -2, 3, 0.5, 7, -6]
    static let b: [Float] = [2, -1, -4]
    static let c: [Float] = [-3, 10]

    static let cases: [(String, @Sendable ([Double]) -> Double)] = [
        ("Max", { $0.max() ?? 0 }),
        ("Min", { $0.min() ?? 0 }),
        ("Sum", { $0.reduce(0, +) }),
        ("Mean", { $0.reduce(0, +) / Double($0.count) }),
    ]

    @Test(arguments: cases.indices)
    func broadcastsEveryInput(_ index: Int) throws {
        let (op, reference) = Self.cases[index]
        let y = try runOneNode(
            op,
            inputs: [
                ("a", Tensor(shape: [2, 3], scalars: Self.a)), ("b", Tensor(shape: [3], scalars: Self.b)),
                ("c", Tensor(shape: [2, 1], scalars: Self.c)),
            ])[0]
        #expect(y.shape == [2, 3])
        for row in 0..<2 {
            for column in 0..<3 {
                let terms = [Self.a[row * 3 + column], Self.b[column], Self.c[row]].map(Double.init)
                let want = reference(terms)
                #expect(abs(Double(y.scalars[row * 3 + column]) - want) <= 1e-6 * abs(want), "\(op) at [\(row), \(column)]")
            }
        }
    }

    @Test func oneInputIsACopy() throws {
        let y = try runOneNode("Sum", inputs: [("a", Tensor(shape: [2, 3], scalars: Self.a))])[0]
        #expect(y.scalars == Self.a)
    }

    @Test func maxAndMinPropagateNaN() throws {
        for op in ["Max", "Min"] {
            let inputs = [("a", Tensor(shape: [2], scalars: [.nan, 1])), ("b", Tensor(shape: [2], scalars: [0, .nan]))]
            let values = try runOneNode(op, inputs: inputs)[0].scalars
            #expect(values[0].isNaN && values[1].isNaN, "\(op): \(values)")
        }
    }

    @Test func shapesThatDoNotBroadcastAreNamed() {
        #expect {
            _ = try runOneNode(
                "Sum", inputs: [("a", Tensor(shape: [2, 3], scalars: Self.a)), ("b", Tensor(shape: [2], scalars: [1, 2]))])
        } throws: { error in
            let text = String(describing: error)
            return text.contains("Sum") && text.contains("3") && text.contains("2")
        }
    }
}
