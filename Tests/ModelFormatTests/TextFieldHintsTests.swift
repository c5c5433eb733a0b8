import Foundation
import TestSupport
import Testing

@testable import ModelFormat

/// Typos in a text model: a bad enum value lists the field's values and the nearest one, an
/// unknown field name suggests the nearest valid one.
@Suite struct TextFieldHintsTests {
    func failureReason(_ text: String) -> String? {
        do {
            _ = try ProtoModel(serialized: Data(text.utf8), format: .text, fileName: "m.pbtxt")
            return nil
        } catch {
            guard case .textSyntax(_, _, _, let reason) = error else { return nil }
            return reason
        }
    }

    @Test func enumErrorListsTheValidValuesAndTheNearest() throws {
        let reason = try #require(failureReason("head { encoding { kind: ONE_HOTT } }"))
        #expect(
            reason
                == "field 'kind': 'ONE_HOTT' is not a value of this field's enum (did you mean ONE_HOT?); "
                + "valid values: ONE_HOT, MULTI_HOT, SOFT_MULTI_LABEL, BINARY_CODE, ORDINAL, REAL")
    }

    @Test func badValueInAListIsTheOneNamed() throws {
        let reason = try #require(failureReason("head { metric: [ACCURACY, F1_MACR] }"))
        #expect(reason.contains("'F1_MACR' is not a value of this field's enum (did you mean F1_MACRO?)"), "\(reason)")
        #expect(reason.contains("valid values: ACCURACY, TOP_K_ACCURACY,"), "\(reason)")
    }

    @Test func unknownFieldSuggestsTheNearestFieldOfThatMessage() throws {
        #expect(
            failureReason("head { encodng { kind: ONE_HOT } }")
                == "field 'encodng': unknown field name for this message (did you mean 'encoding'?)")
        // `epochs` is a field of training, not of optimizer: no suggestion that would not decode.
        #expect(
            failureReason("training { optimizer { epoch: 3 } }")
                == "field 'epoch': unknown field name for this message (check the spelling)")
        #expect(
            failureReason("training { epoch: 3 }")
                == "field 'epoch': unknown field name for this message (did you mean 'epochs'?)")
    }

    @Test func nearestNameIsCaseInsensitiveAndRefusesFarNames() {
        #expect(NearestName.suggest("ReLU", among: ["Relu", "Reshape", "Softmax"]) == "Relu")
        #expect(NearestName.suggest("Conv2D", among: ["Conv", "ConvTranspose"]) == "Conv")
        #expect(NearestName.suggest("Attention", among: ["Relu", "Gemm"]) == nil)
        #expect(NearestName.editDistance(Array("kitten"), Array("sitting")) == 3)
    }

    /// The list hints choose from is the schema's: every `type name = number;` field of model.proto.
    @Test func fieldNamesMatchTheSchema() throws {
        let schema = try String(contentsOf: SourceTree.url("schemas/model.proto"), encoding: .utf8)
        let pattern = /^\s*(?:repeated\s+)?[A-Za-z_][\w.]*\s+([a-z_][a-z0-9_]*)\s*=\s*\d+\s*;/.anchorsMatchLineEndings()
        let names = Set(schema.matches(of: pattern).map { String($0.output.1) })
        #expect(names == Set(FieldNames.all))
    }
}
