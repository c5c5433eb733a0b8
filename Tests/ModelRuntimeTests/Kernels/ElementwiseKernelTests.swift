import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// Runs a one-node graph through a session (the real plan, arena and kernel path).
///
/// Inputs are graph inputs (fed), constants are initializers. The node reads `nodeInputs`
/// (default: the inputs, then the constants; "" omits an optional input) and writes
/// `nodeOutputs` (default: `outputs` values y0, y1, ...; "" omits an optional output). Returns
/// the named outputs in order.
func runOneNode(
    _ op: String, inputs: [(String, Tensor)], constants: [(String, Tensor)] = [], attributes: [ProtoAttribute] = [],
    outputs: Int = 1, nodeInputs: [String]? = nil, nodeOutputs: [String]? = nil
) throws -> [Tensor] {
    var model = ProtoModel()
    model.opsetVersion = 17
    model.graph.name = "one"
    var node = ProtoNode()
    node.name = "n"
    node.opType = op
    node.domain = OpType(rawValue: op)?.domain ?? ""
    node.input = nodeInputs ?? inputs.map(\.0) + constants.map(\.0)
    model.graph.initializer = constants.map { name, tensor in
        var proto = ProtoTensor()
        proto.name = name
        proto.dataType = tensor.elementType.protoType
        proto.dims = tensor.shape.map { Int64($0) }
        proto.rawData = tensor.withUnsafeBytes { Data($0) }
        return proto
    }
    node.output = nodeOutputs ?? (0..<outputs).map { "y\($0)" }
    node.attribute = attributes
    model.graph.node = [node]
    model.graph.input = inputs.map { name, tensor in
        var info = valueInfo(name, tensor.shape)
        info.elemType = tensor.elementType.protoType
        return info
    }
    let names = node.output.filter { !$0.isEmpty }
    model.graph.output = names.map { name in
        var info = ProtoValueInfo()
        info.name = name
        info.unknownRank = true
        return info
    }
    let session = try InferenceSession(model: model)
    let result = try session.run(Dictionary(uniqueKeysWithValues: inputs))
    return try names.map { try #require(result[$0], "no output \($0)") }
}

func attribute(_ name: String, f: Float? = nil, i: Int? = nil, ints: [Int]? = nil, s: String? = nil) -> ProtoAttribute {
    var attribute = ProtoAttribute()
    attribute.name = name
    if let f { attribute.f = f }
    if let i { attribute.i = Int64(i) }
    if let ints { attribute.ints = ints.map { Int64($0) } }
    if let s { attribute.s = Data(s.utf8) }
    return attribute
}

@Suite struct ElementwiseKernelTests {
    static let x: [Float] = [-100, -3, -0.5, 0, 0.25, 2, 30, 100]

    /// Each op against its defining formula, evaluated in Double.
    static let unary: [(String, [ProtoAttribute], @Sendable (Double) -> Double)] = [
        ("Relu", [], { max($0, 0) }),
        ("Sigmoid", [], { 1 / (1 + Foundation.exp(-$0)) }),
        ("Tanh", [], { Foundation.tanh($0) }),
        ("Abs", [], { Swift.abs($0) }),
        ("Neg", [], { -$0 }),
        ("Softplus", [], { Foundation.log1p(Foundation.exp(-Swift.abs($0))) + max($0, 0) }),
        ("LeakyRelu", [attribute("alpha", f: 0.2)], { $0 >= 0 ? $0 : 0.2 * $0 }),
        ("Elu", [attribute("alpha", f: 0.5)], { $0 > 0 ? $0 : 0.5 * (Foundation.exp($0) - 1) }),
        ("Selu", [], { 1.0507009873554805 * ($0 > 0 ? $0 : 1.6732632423543772 * (Foundation.exp($0) - 1)) }),
        ("Gelu", [], { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }),
        (
            "Gelu", [attribute("approximate", s: "tanh")],
            {
                0.5 * $0 * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * ($0 + 0.044715 * $0 * $0 * $0)))
            }
        ),
    ]

    @Test(arguments: unary.indices)
    func unaryOpsMatchTheirFormulas(index: Int) throws {
        let (op, attributes, formula) = Self.unary[index]
        let y = try runOneNode(op, inputs: [("x", Tensor(shape: [2, 4], scalars: Self.x))], attributes: attributes)[0]
        #expect(y.shape == [2, 4])
        for (got, input) in zip(y.scalars, Self.x) {
            let want = formula(Double(input))
            // Float32 rounding of the result: relative 1e-6, plus an absolute floor near 0.
            #expect(abs(Double(got) - want) <= 1e-6 * abs(want) + 1e-7, "\(op)(\(input)) = \(got), want \(want)")
        }
    }

    @Test func exponentialsAndRootsStayFinite() throws {
        let positive: [Float] = [1e-30, 0.5, 1, 4]
        let sqrt = try runOneNode("Sqrt", inputs: [("x", Tensor(shape: [4], scalars: positive))])[0]
        #expect(sqrt.scalars == positive.map { $0.squareRoot() })
        let log = try runOneNode("Log", inputs: [("x", Tensor(shape: [4], scalars: positive))])[0]
        #expect(zip(log.scalars, positive).allSatisfy { abs(Double($0) - Foundation.log(Double($1))) < 1e-5 })
    }

    /// Broadcasting cases from the ONNX "Broadcasting in ONNX" document, checked element by
    /// element against index arithmetic written here.
    @Test(arguments: [([2, 3, 4], [4]), ([2, 3, 4], [3, 1]), ([2, 1, 4], [1, 3, 1]), ([1], [2, 3]), ([5], [5])])
    func binaryOpsBroadcast(shapeA: [Int], shapeB: [Int]) throws {
        let a = (0..<shapeA.reduce(1, *)).map { Float($0) * 0.5 - 3 }
        let b = (0..<shapeB.reduce(1, *)).map { Float($0) + 1 }
        let rank = max(shapeA.count, shapeB.count)
        let padA = Array(repeating: 1, count: rank - shapeA.count) + shapeA
        let padB = Array(repeating: 1, count: rank - shapeB.count) + shapeB
        let out = zip(padA, padB).map { max($0, $1) }
        func element(_ values: [Float], _ shape: [Int], _ index: [Int]) -> Float {
            var flat = 0
            for (axis, size) in shape.enumerated() { flat = flat * size + (size == 1 ? 0 : index[axis]) }
            return values[flat]
        }
        for (op, formula) in [
            ("Add", { (x: Float, y: Float) in x + y }), ("Sub", { $0 - $1 }), ("Mul", { $0 * $1 }),
            ("Div", { $0 / $1 }),
        ] {
            let y = try runOneNode(
                op, inputs: [("a", Tensor(shape: shapeA, scalars: a)), ("b", Tensor(shape: shapeB, scalars: b))])[0]
            #expect(y.shape == out)
            for flat in 0..<out.reduce(1, *) {
                var index = [Int](repeating: 0, count: rank)
                var rest = flat
                for axis in (0..<rank).reversed() {
                    index[axis] = rest % out[axis]
                    rest /= out[axis]
                }
                #expect(y.scalars[flat] == formula(element(a, padA, index), element(b, padB, index)))
            }
        }
    }

    @Test func softmaxIsStableAndNormalised() throws {
        let x: [Float] = [1000, 1001, 1002, -5, 0, 5]
        let y = try runOneNode("Softmax", inputs: [("x", Tensor(shape: [2, 3], scalars: x))])[0].scalars
        // softmax(1000, 1001, 1002) = softmax(0, 1, 2), computed in Double.
        let e = [0.0, 1, 2].map { Foundation.exp($0) }
        let total = e.reduce(0, +)
        for k in 0..<3 { #expect(abs(Double(y[k]) - e[k] / total) < 1e-6) }
        #expect(abs(y[3...].reduce(0, +) - 1) < 1e-6)
        let logY = try runOneNode("LogSoftmax", inputs: [("x", Tensor(shape: [2, 3], scalars: x))])[0].scalars
        for k in 0..<3 { #expect(abs(Double(logY[k]) - Foundation.log(e[k] / total)) < 1e-5) }
    }

    @Test func softmaxOverAnInnerAxis() throws {
        // axis 1 of [2, 2, 2]: normalise pairs (x[n,0,k], x[n,1,k]).
        let x: [Float] = [0, 1, 2, 3, 4, 5, 6, 7]
        let y = try runOneNode(
            "Softmax", inputs: [("x", Tensor(shape: [2, 2, 2], scalars: x))], attributes: [attribute("axis", i: 1)])[0]
            .scalars
        let pair = 1 / (1 + Foundation.exp(2.0))  // softmax(a, a + 2)[0]
        for index in [0, 1, 4, 5] { #expect(abs(Double(y[index]) - pair) < 1e-6) }
    }

    @Test func clipUsesOptionalBounds() throws {
        let y = try runOneNode(
            "Clip",
            inputs: [
                ("x", Tensor(shape: [8], scalars: Self.x)), ("lo", Tensor(shape: [], scalars: [-1])),
                ("hi", Tensor(shape: [], scalars: [1])),
            ])[0]
        #expect(y.scalars == Self.x.map { min(max($0, -1), 1) })
    }
}
