import ModelFormat
import Testing

@testable import ModelRuntime

@Suite struct IdentityDecoderTests {
    @Test func returnsRowsAsValues() throws {
        let decoder = try IdentityDecoder(for: decoderTestHead(.real, classes: 3))
        let predictions = try decoder.decode(decoderInput([[1.5, -2, 0], [3, 4, 5]]))
        #expect(predictions == [Prediction(value: [1.5, -2, 0]), Prediction(value: [3, 4, 5])])
    }

    /// No activation, whatever the loss says.
    @Test func ignoresFromLogits() throws {
        let decoder = try IdentityDecoder(for: decoderTestHead(.real, classes: 1, fromLogits: true))
        #expect(
            try decoder.decode(Tensor(shape: [2], scalars: [-3, 7])) == [
                Prediction(value: [-3]), Prediction(value: [7]),
            ])
    }

    @Test func anyWidthWhenUnset() throws {
        let decoder = try IdentityDecoder(for: decoderTestHead(.real))
        #expect(try decoder.decode(decoderInput([[1, 2, 3, 4]])) == [Prediction(value: [1, 2, 3, 4])])
    }

    @Test func rejectsWrongWidth() throws {
        let decoder = try IdentityDecoder(for: decoderTestHead(.real, classes: 2))
        let error = decodeError { () throws(DecodeError) in _ = try decoder.decode(Tensor(zeros: [1, 3])) }
        #expect(
            error?.description
                == "head 'h' (IDENTITY): output shape [1, 3] does not match [N, 2]: "
                + "encoding.num_classes is 2, the value width"
        )
        let vector = decodeError { () throws(DecodeError) in _ = try decoder.decode(Tensor(zeros: [4])) }
        #expect(vector?.description.contains("output shape [4] does not match [N, 2]") == true)
    }
}
