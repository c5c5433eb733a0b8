import Foundation
import Testing
import TestSupport

@testable import ModelFormat

/// Every crafted bad file under Hostile/ (made by scripts/fixtures/make_hostile.py, described
/// in Hostile/README.md) gives a typed error with the expected code, never a trap.
@Suite struct HostileFileTests {
    static let cases: [(file: String, code: String, detail: String)] = [
        ("truncated.model", "format.malformed", "truncated"),
        ("random_bytes.model", "format.malformed", "not a valid binary model"),
        ("empty.model", "format.malformed", "the file is empty"),
        ("deep_nesting.model", "format.malformed", "nested deeper than the limit"),
        ("syntax_error.pbtxt", "format.text-syntax", "syntax_error.pbtxt:9:29: expected ':' or '{' after field name 'op_type'"),
        ("unknown_field.pbtxt", "format.text-syntax", "unknown_field.pbtxt:9:21: field 'op_typ': unknown field name"),
        ("negative_dim.model", "tensor.invalid", "negative dimension -2"),
        ("overflowing_dims.model", "tensor.invalid", "overflows a 64-bit integer"),
        ("dims_over_limit.model", "format.limit-exceeded", "over the limit of 4294967296 bytes"),
        ("raw_data_length_mismatch.model", "tensor.invalid", "holds 28 bytes, but dims [2, 4] of FLOAT need 32"),
        ("decompression_bomb.model", "tensor.compression", "inflates past its declared size of 32 bytes"),
        ("external_absolute.model", "tensor.external-data", "absolute paths are refused"),
        ("external_dotdot.model", "tensor.external-data", "'..' would leave the model's folder"),
        ("external_symlink/model.model", "tensor.external-data", "outside the model's folder"),
        ("external_past_end.model", "tensor.external-data", "past the end of the 16-byte file"),
    ]

    /// Reads the model and decodes every initializer payload, as `modelc check` does.
    static func load(_ url: URL) throws(FormatError) {
        let model = try ProtoModel(contentsOf: url)
        for tensor in model.graph.initializer {
            _ = try tensor.elementBytes(context: PayloadContext(modelFile: url))
        }
    }

    @Test(arguments: cases.indices)
    func hostileFileGivesItsError(index: Int) {
        let (file, code, detail) = Self.cases[index]
        let url = SourceTree.url("Tests/ModelFormatTests/Hostile/\(file)")
        #expect {
            try Self.load(url)
        } throws: { error in
            guard let error = error as? FormatError else { return false }
            return error.code == code && error.description.contains(detail) && error.description.contains(file)
        }
    }

    @Test func everyHostileFileIsCovered() throws {
        let folder = SourceTree.url("Tests/ModelFormatTests/Hostile")
        let files = try FileManager.default.subpathsOfDirectory(atPath: folder.path)
            .filter { $0.hasSuffix(".model") || $0.hasSuffix(".pbtxt") }
        #expect(Set(files) == Set(Self.cases.map(\.file)))
    }
}
