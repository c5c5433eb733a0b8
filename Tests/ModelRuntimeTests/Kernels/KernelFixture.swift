import Foundation
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// One case of a `Kernels/Fixtures/*.json` file, written by `scripts/fixtures/make_*_fixtures.py`
/// (the format is described there): a one-node model, its inputs, and the outputs ONNX Runtime
/// (or another stated reference) computed for them. Shared by every kernel family's tests.
struct KernelFixtureCase: Decodable, Sendable, CustomTestStringConvertible {
    /// A tensor: name, runtime element type name, shape and row-major data.
    struct Value: Decodable, Sendable {
        let name: String
        let type: String
        let shape: [Int]
        /// Row-major; integers are exact in Double (the fixtures stay below 2^53).
        let data: [Double]

        /// The runtime tensor of this value.
        func tensor() throws -> Tensor {
            let elementType = try #require(ElementType(rawValue: type), "unknown type \(type)")
            switch elementType {
            case .float32: return Tensor(shape: shape, scalars: data.map { Float($0) })
            case .int64: return Tensor(shape: shape, int64s: data.map { Int64($0) })
            case .int32:
                let bytes = data.map { Int32($0) }.withUnsafeBytes { Data($0) }
                return try #require(Tensor(shape: shape, type: elementType, bytes: bytes))
            case .uint8, .bool:
                return try #require(Tensor(shape: shape, type: elementType, bytes: Data(data.map { UInt8($0) })))
            }
        }
    }

    /// An attribute value: exactly one of the fields is set.
    struct AttributeValue: Decodable, Sendable {
        let i: Int?
        let f: Float?
        let ints: [Int]?
        let s: String?
    }

    /// |got − want| ≤ atol + rtol·|want| per float element.
    ///
    /// Why not exact: the references add the same float32 terms in another order (vectorised
    /// sums, im2col + sgemm, other exp/log implementations), which moves results by a few ulps
    /// times the reduction length, about 1e-6 relative; 1e-4 leaves a wide margin yet any
    /// semantic slip (axis, padding, weight, normaliser) moves values by 1e-2 or more. The
    /// absolute term covers results that cancel to near 0.
    struct Tolerance: Decodable, Sendable {
        let rtol: Double
        let atol: Double
        static let standard = Tolerance(rtol: 1e-4, atol: 1e-5)
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
    let tolerance: Tolerance?
    /// Why our runtime is known to disagree, when it is (the case then must fail).
    let knownGap: String?

    enum CodingKeys: String, CodingKey {
        case name, op, reference, attributes, inputs, constants, outputs, tolerance
        case nodeInputs = "node_inputs"
        case nodeOutputs = "node_outputs"
        case knownGap = "known_gap"
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

    /// Runs the case's node through an InferenceSession and compares every output with the
    /// reference: floats within the tolerance (NaN matches NaN), integers and bools exactly.
    /// A known gap is expected to fail.
    func check(sourceLocation: SourceLocation = #_sourceLocation) throws {
        guard let knownGap else { return try compare(sourceLocation: sourceLocation) }
        withKnownIssue(Comment(rawValue: knownGap)) { try compare(sourceLocation: sourceLocation) }
    }

    private func compare(sourceLocation: SourceLocation) throws {
        let protoAttributes = attributes.keys.sorted().compactMap { key -> ProtoAttribute? in
            guard let value = attributes[key] else { return nil }
            return attribute(key, f: value.f, i: value.i, ints: value.ints, s: value.s)
        }
        let got = try runOneNode(
            op, inputs: inputs.map { ($0.name, try $0.tensor()) }, constants: constants.map { ($0.name, try $0.tensor()) },
            attributes: protoAttributes, nodeInputs: nodeInputs, nodeOutputs: nodeOutputs)
        try #require(got.count == outputs.count, sourceLocation: sourceLocation)
        let bounds = tolerance ?? .standard
        for (tensor, expected) in zip(got, outputs) {
            #expect(
                tensor.elementType.rawValue == expected.type, "\(name) \(expected.name)", sourceLocation: sourceLocation)
            try #require(
                tensor.shape == expected.shape, "\(name) \(expected.name): shape \(tensor.shape), expected \(expected.shape)",
                sourceLocation: sourceLocation)
            if tensor.elementType == .float32 {
                for (index, (value, want)) in zip(tensor.scalars, expected.data).enumerated() {
                    let close = want.isNaN ? value.isNaN : abs(Double(value) - want) <= bounds.atol + bounds.rtol * abs(want)
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
