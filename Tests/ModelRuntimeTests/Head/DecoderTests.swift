import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

/// Choosing a decoder from a head, the error type, and the JSON form of predictions.
@Suite struct DecoderTests {
    /// KIND_UNSPECIFIED decoders follow the encoding.
    static let defaultKinds: [(ProtoLabelEncoding.Kind, ProtoDecoder.Kind)] = [
        (.oneHot, .argmax), (.multiHot, .threshold), (.softMultiLabel, .cumulativeMass),
        (.binaryCode, .nearestCode), (.ordinal, .ordinalCount), (.real, .identity),
    ]

    @Test(arguments: defaultKinds)
    func kindFollowsTheEncoding(_ c: (ProtoLabelEncoding.Kind, ProtoDecoder.Kind)) throws {
        let head = decoderTestHead(c.0, classes: 4)
        #expect(try HeadDecoders.kind(for: head) == c.1)
        let decoder = try HeadDecoders.make(for: head)
        let expected: any HeadDecoder.Type =
            switch c.1 {
            case .argmax: ArgmaxDecoder.self
            case .threshold: ThresholdDecoder.self
            case .cumulativeMass: CumulativeMassDecoder.self
            case .nearestCode: NearestCodeDecoder.self
            case .ordinalCount: OrdinalCountDecoder.self
            default: IdentityDecoder.self
            }
        #expect(type(of: decoder) == expected)
    }

    /// A decoder kind that is set wins over the encoding's default.
    @Test func explicitKindWins() throws {
        let head = decoderTestHead(.oneHot, classes: 3) {
            $0.decoder.kind = .threshold
            $0.decoder.threshold = 0.25
        }
        let decoder = try #require(try HeadDecoders.make(for: head) as? ThresholdDecoder)
        #expect(decoder.threshold == 0.25)
        #expect(try decoder.decode(decoderInput([[0.3, 0.2, 0.5]])).first?.labels == [2, 0])
    }

    /// Unset decoder fields take the format's defaults.
    @Test func defaults() throws {
        let argmax = try #require(try HeadDecoders.make(for: decoderTestHead(.oneHot, classes: 3)) as? ArgmaxDecoder)
        #expect(argmax.topK == 1 && argmax.classes == 3 && !argmax.fromLogits)
        let threshold = try #require(
            try HeadDecoders.make(for: decoderTestHead(.multiHot, classes: 3)) as? ThresholdDecoder)
        #expect(threshold.threshold == 0.5 && threshold.maxLabels == nil && threshold.classThreshold.isEmpty)
        let mass = try #require(
            try HeadDecoders.make(for: decoderTestHead(.softMultiLabel, classes: 3)) as? CumulativeMassDecoder)
        #expect(mass.mass == 0.95 && mass.maxLabels == nil)
        let code = try #require(
            try HeadDecoders.make(for: decoderTestHead(.binaryCode, classes: 10)) as? NearestCodeDecoder)
        #expect(code.mode == .likelihood && code.threshold == 0.5 && code.length == 4)
        let ordinal = try #require(
            try HeadDecoders.make(for: decoderTestHead(.ordinal, classes: 5)) as? OrdinalCountDecoder)
        #expect(ordinal.threshold == 0.5 && ordinal.levels == 5)
    }

    @Test func rejectsHeadsWithNoKind() {
        let neither = decodeError { () throws(DecodeError) in
            _ = try HeadDecoders.make(for: decoderTestHead(.unspecified))
        }
        #expect(neither?.code == "decode.configuration")
        #expect(
            neither?.description.hasPrefix("head 'h' (KIND_UNSPECIFIED): decoder.kind: no decoder kind is set") == true)
        let unknown = decodeError { () throws(DecodeError) in
            _ = try HeadDecoders.make(for: decoderTestHead(.oneHot) { $0.decoder.kind = .UNRECOGNIZED(9) })
        }
        #expect(
            unknown?.description.hasPrefix("head 'h' (decoder kind 9): decoder.kind: 9 is not a decoder kind") == true)
    }

    /// The error carries the head, the expected and the actual shape as data, and renders them.
    @Test func shapeErrorData() throws {
        var head = decoderTestHead(.oneHot, classes: 10)
        head.name = "digits"
        let decoder = try HeadDecoders.make(for: head)
        let error = decodeError { () throws(DecodeError) in _ = try decoder.decode(Tensor(zeros: [2, 7])) }
        #expect(
            error
                == .outputShape(
                    head: "digits", decoder: .argmax, expectedWidth: 10, acceptsVector: false, actual: [2, 7],
                    reason: "one score per class, 10 classes"))
        #expect(error?.expectedShape == "[N, 10]")
        #expect(
            error?.description
                == "head 'digits' (ARGMAX): output shape [2, 7] does not match [N, 10]: one score per class, 10 classes"
        )
        let vector = DecodeError.outputShape(
            head: "b", decoder: .threshold, expectedWidth: 1, acceptsVector: true, actual: [2, 3], reason: "")
        #expect(vector.expectedShape == "[N, 1] or [N]")
        #expect(vector.description == "head 'b' (THRESHOLD): output shape [2, 3] does not match [N, 1] or [N]")
    }

    /// An unnamed head is named by its output value in messages.
    @Test func unnamedHeadUsesItsOutput() throws {
        var head = decoderTestHead(.real, classes: 1)
        head.name = ""
        let decoder = try HeadDecoders.make(for: head)
        let error = decodeError { () throws(DecodeError) in _ = try decoder.decode(Tensor(zeros: [1, 2])) }
        #expect(error?.description.hasPrefix("head 'y' (IDENTITY)") == true)
    }

    /// One JSON object per sample for `modelrun infer --decode`; `value` appears only for IDENTITY.
    @Test func predictionJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let label = Prediction(labels: [1], names: ["dog"], scores: [0.5])
        #expect(
            String(decoding: try encoder.encode(label), as: UTF8.self)
                == #"{"labels":[1],"names":["dog"],"scores":[0.5]}"#)
        let value = Prediction(value: [1.5])
        #expect(
            String(decoding: try encoder.encode(value), as: UTF8.self)
                == #"{"labels":[],"names":[],"scores":[],"value":[1.5]}"#)
        for prediction in [label, value] {
            #expect(try JSONDecoder().decode(Prediction.self, from: encoder.encode(prediction)) == prediction)
        }
    }
}
