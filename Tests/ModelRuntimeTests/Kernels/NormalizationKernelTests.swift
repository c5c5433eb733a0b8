import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

@Suite struct NormalizationKernelTests {
    @Test(arguments: try KernelFixtureCase.load("misc_normalization.json"))
    func matchesReference(_ fixture: KernelFixtureCase) throws {
        try fixture.check()
    }

    @Test func batchNormalizationTrainingModeIsABindError() throws {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let c = Tensor(shape: [3], scalars: [1, 1, 1])
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode(
                "BatchNormalization", inputs: [("x", x), ("s", c), ("b", c), ("m", c), ("v", c)],
                attributes: [attribute("training_mode", i: 1)])
        }
        #expect(error.code == "runtime.bind")
        #expect(error.description.hasPrefix("BatchNormalization 'n': training mode runs in the training graph"))
    }

    @Test func batchNormalizationChannelMismatchSurfacesFromShapeInference() throws {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let c = Tensor(shape: [3], scalars: [1, 1, 1])
        let wrong = Tensor(shape: [4], scalars: [1, 1, 1, 1])
        let error = try #require(throws: RuntimeError.self) {
            try runOneNode("BatchNormalization", inputs: [("x", x), ("s", wrong), ("b", c), ("m", c), ("v", c)])
        }
        #expect(error.code == "runtime.compile")
        #expect(error.description.contains("BatchNormalization 'n'"))
    }

    /// A constant row has variance 0: Y = B exactly, Mean = the constant, InvStdDev = 1/sqrt(epsilon).
    @Test func layerNormalizationOfAConstantRowIsTheBias() throws {
        let x = Tensor(shape: [2, 4], scalars: [3, 3, 3, 3, -1e4, -1e4, -1e4, -1e4])
        let scale = Tensor(shape: [4], scalars: [2, 2, 2, 2])
        let bias = Tensor(shape: [4], scalars: [0.5, -0.5, 1, 0])
        let outputs = try runOneNode(
            "LayerNormalization", inputs: [("x", x), ("s", scale), ("b", bias)],
            attributes: [attribute("epsilon", f: 1e-2)], outputs: 3)
        #expect(outputs[0].scalars == [0.5, -0.5, 1, 0, 0.5, -0.5, 1, 0])
        #expect(outputs[1].shape == [2, 1])
        #expect(outputs[1].scalars == [3, -1e4])
        #expect(outputs[2].scalars.allSatisfy { abs($0 - 10) < 1e-5 })
    }
}

// MARK: - Fixture support shared by the Normalization, Reduction, Layout and Loss kernel tests

/// One case of a `Kernels/Fixtures/misc_*.json` file, written by
/// `scripts/fixtures/make_misc_kernel_fixtures.py` (the format is described there): a
/// one-node model, its inputs, and the outputs ONNX Runtime (or a float64 numpy reference)
/// computed for them.
struct KernelFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    struct Value: Decodable, Sendable {
        let name: String
        let type: String
        let shape: [Int]
        /// Row-major; integers are exact in Double (the fixtures stay below 2^53).
        let data: [Double]
    }

    struct AttributeValue: Decodable, Sendable {
        let i: Int?
        let f: Float?
        let ints: [Int]?
        let s: String?
    }

    let name: String
    let op: String
    let reference: String
    let attributes: [String: AttributeValue]
    let inputs: [Value]
    let constants: [Value]
    let nodeInputs: [String]
    let nodeOutputs: [String]
    let outputs: [Value]

    enum CodingKeys: String, CodingKey {
        case name, op, reference, attributes, inputs, constants, outputs
        case nodeInputs = "node_inputs"
        case nodeOutputs = "node_outputs"
    }

    var testDescription: String { "\(op) \(name)" }

    /// The cases of `Tests/ModelRuntimeTests/Kernels/Fixtures/<file>`.
    static func load(_ file: String) throws -> [KernelFixtureCase] {
        struct Document: Decodable { let cases: [KernelFixtureCase] }
        let url = SourceTree.url("Tests/ModelRuntimeTests/Kernels/Fixtures/\(file)")
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(Document.self, from: Data(contentsOf: url)).cases
    }

    /// The runtime tensor of a fixture value.
    static func tensor(_ value: Value) throws -> Tensor {
        let type = try #require(ElementType(rawValue: value.type), "unknown type \(value.type)")
        switch type {
        case .float32: return Tensor(shape: value.shape, scalars: value.data.map { Float($0) })
        case .int64: return Tensor(shape: value.shape, int64s: value.data.map { Int64($0) })
        case .int32:
            let bytes = value.data.map { Int32($0) }.withUnsafeBytes { Data($0) }
            return try #require(Tensor(shape: value.shape, type: type, bytes: bytes))
        case .uint8, .bool:
            return try #require(Tensor(shape: value.shape, type: type, bytes: Data(value.data.map { UInt8($0) })))
        }
    }

    /// Runs the case's node through an InferenceSession and returns the non-empty outputs.
    func run() throws -> [Tensor] {
        var model = ProtoModel()
        model.opsetVersion = 17
        model.graph.name = name
        var node = ProtoNode()
        node.name = "n"
        node.opType = op
        node.input = nodeInputs
        node.output = nodeOutputs
        node.attribute = attributes.keys.sorted().compactMap { key in
            guard let value = attributes[key] else { return nil }
            var attribute = ProtoAttribute()
            attribute.name = key
            if let i = value.i { attribute.i = Int64(i) }
            if let f = value.f { attribute.f = f }
            if let ints = value.ints { attribute.ints = ints.map { Int64($0) } }
            if let s = value.s { attribute.s = Data(s.utf8) }
            return attribute
        }
        model.graph.node = [node]
        var feeds: [String: Tensor] = [:]
        for input in inputs {
            let tensor = try Self.tensor(input)
            feeds[input.name] = tensor
            var info = valueInfo(input.name, tensor.shape)
            info.elemType = tensor.elementType.protoType
            model.graph.input.append(info)
        }
        for constant in constants {
            let tensor = try Self.tensor(constant)
            var proto = ProtoTensor()
            proto.name = constant.name
            proto.dataType = tensor.elementType.protoType
            proto.dims = tensor.shape.map { Int64($0) }
            proto.rawData = tensor.withUnsafeBytes { Data($0) }
            model.graph.initializer.append(proto)
        }
        let names = nodeOutputs.filter { !$0.isEmpty }
        model.graph.output = zip(names, outputs).map { name, expected in
            var info = ProtoValueInfo()
            info.name = name
            info.elemType = ElementType(rawValue: expected.type)?.protoType ?? .float
            info.unknownRank = true
            return info
        }
        let session = try InferenceSession(model: model)
        let result = try session.run(feeds)
        return try names.map { try #require(result[$0], "no output \($0)") }
    }

    /// Runs the case and compares every output with the reference.
    ///
    /// Floats: |got − want| ≤ 1e-5 + 1e-4·|want|. The references round float32 in another
    /// order (ONNX Runtime's vectorised sums, other exp/log implementations), which moves
    /// results by a few ulps times the reduction length (≤ 300 here), about 1e-6 relative;
    /// 1e-4 leaves a wide margin yet any semantic slip (axis, weight, ignored target, wrong
    /// normaliser) changes values by 1e-2 or more. The absolute 1e-5 covers results near 0.
    /// NaN must match NaN. Integers and bools must match exactly.
    func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let got = try run()
        try #require(got.count == outputs.count, sourceLocation: sourceLocation)
        for (tensor, expected) in zip(got, outputs) {
            #expect(
                tensor.elementType.rawValue == expected.type, "\(name) \(expected.name)", sourceLocation: sourceLocation
            )
            #expect(tensor.shape == expected.shape, "\(name) \(expected.name)", sourceLocation: sourceLocation)
            guard tensor.count == expected.data.count else { continue }
            if tensor.elementType == .float32 {
                for (index, (value, want)) in zip(tensor.scalars, expected.data).enumerated() {
                    let close = want.isNaN ? value.isNaN : abs(Double(value) - want) <= 1e-5 + 1e-4 * abs(want)
                    #expect(
                        close, "\(name) \(expected.name)[\(index)] = \(value), want \(want)",
                        sourceLocation: sourceLocation)
                }
            } else {
                #expect(
                    tensor.int64s == expected.data.map { Int64($0) }, "\(name) \(expected.name)",
                    sourceLocation: sourceLocation)
            }
        }
    }
}
