import Foundation
import TestSupport
import Testing

@testable import ModelRuntime

/// CSV and CSV.gz reading: header detection, label columns, label types, and errors.
///
/// Errors name the line and column. Expected values restate the formulas of `make_data_fixtures.py`.
@Suite struct CSVDataIOTests {
    /// `with_header.csv`: row i, column j is i * 3 + j − 0.5; the label is i % 3.
    static let headerFeatures = makeTensor([5, 3], .float32, formula(15) { $0 - 0.5 })
    static let headerLabels = makeTensor([5], .int64, formula(5) { $0.truncatingRemainder(dividingBy: 3) })

    @Test(arguments: ["with_header.csv", "with_header.csv.gz"])
    func readsAHeaderAndIntegerLabels(_ file: String) throws {
        let table = try CSV.read(DataFixture.url(file))
        #expect(table.header == ["f0", "f1", "f2", "label"])
        #expect(table.features == Self.headerFeatures)
        #expect(table.labels == Self.headerLabels)
    }

    /// `no_header_float_labels.csv` (CRLF, one quoted field): row i is (i, i / 4, i * 0.5 + 0.25).
    @Test func readsFloatLabelsWithoutAHeader() throws {
        let table = try CSV.read(DataFixture.url("no_header_float_labels.csv"))
        #expect(table.header == nil)
        #expect(table.features == makeTensor([4, 2], .float32, (0..<4).flatMap { [Double($0), Double($0) / 4] }))
        #expect(table.labels == makeTensor([4], .float32, formula(4) { $0 * 0.5 + 0.25 }))
    }

    /// `label_first.csv`: species = 2 − i % 3, a = i + 1, b = −i for row i.
    static let species = formula(4) { 2 - $0.truncatingRemainder(dividingBy: 3) }
    static let columnA = formula(4) { $0 + 1 }
    static let columnB = formula(4) { 0 - $0 }  // +0 for row 0, as the file writes it

    static func rows(_ columns: [[Double]]) -> [Double] {
        (0..<4).flatMap { row in columns.map { $0[row] } }
    }

    struct LabelCase: Sendable, CustomTestStringConvertible {
        var column: CSV.LabelColumn
        var features: Tensor
        var labels: Tensor?
        var testDescription: String { column.display }
    }

    static let labelCases: [LabelCase] = [
        LabelCase(
            column: 0, features: makeTensor([4, 2], .float32, rows([columnA, columnB])),
            labels: makeTensor([4], .int64, species)),
        LabelCase(
            column: "species", features: makeTensor([4, 2], .float32, rows([columnA, columnB])),
            labels: makeTensor([4], .int64, species)),
        LabelCase(
            column: -3, features: makeTensor([4, 2], .float32, rows([columnA, columnB])),
            labels: makeTensor([4], .int64, species)),
        LabelCase(
            column: .last, features: makeTensor([4, 2], .float32, rows([species, columnA])),
            labels: makeTensor([4], .int64, columnB)),
        LabelCase(
            column: "a", features: makeTensor([4, 2], .float32, rows([species, columnB])),
            labels: makeTensor([4], .int64, columnA)),
        LabelCase(
            column: .none, features: makeTensor([4, 3], .float32, rows([species, columnA, columnB])),
            labels: nil),
    ]

    @Test(arguments: labelCases)
    func choosesTheLabelColumn(_ testCase: LabelCase) throws {
        let table = try CSV.read(DataFixture.url("label_first.csv"), labelColumn: testCase.column)
        #expect(table.features == testCase.features)
        #expect(table.labels == testCase.labels)
    }

    @Test func integerLabelsNeedIntegerText() throws {
        let mixed = try CSV.read(Data("1,2\n3,4.0\n5,-6\n".utf8), file: "mixed.csv")
        #expect(mixed.labels == makeTensor([3], .float32, [2, 4, -6]))
        let signed = try CSV.read(Data("1,+2\n3,-4\n".utf8), file: "signed.csv")
        #expect(signed.labels == makeTensor([2], .int64, [2, -4]))
    }

    @Test func toleratesBlankLinesSpacesAndAByteOrderMark() throws {
        let text = Data([0xEF, 0xBB, 0xBF]) + Data("a , b\n\n 1 ,\t2\n  \n3,4\n\n\n".utf8)
        let table = try CSV.read(text, file: "spaced.csv")
        #expect(table.header == ["a", "b"])
        #expect(table.features == makeTensor([2, 1], .float32, [1, 3]))
        #expect(table.labels == makeTensor([2], .int64, [2, 4]))
    }

    static func text(_ string: String) -> @Sendable () throws -> Data { { Data(string.utf8) } }

    static let badInputs: [BadInput] = [
        BadInput(
            "non-numeric cell", "data.csv-parse", "bad.csv:3:2: 'abc' is not a number (feature)",
            text("a,b,label\n1,2,0\n3,abc,1\n")),
        BadInput(
            "non-numeric label", "data.csv-parse", "bad.csv:2:3: 'cat' is not a number (label)",
            text("1,2,0\n3,4,cat\n")),
        BadInput("empty cell", "data.csv-parse", "bad.csv:2:1: an empty field is not a number", text("1,2\n,4\n")),
        BadInput("trailing comma", "data.csv-parse", "bad.csv:2:3: an empty field", text("1,2,\n3,4,\n")),
        BadInput(
            "ragged row", "data.csv-parse", "bad.csv:3: the row has 2 fields, but line 1 has 3",
            text("1,2,3\n4,5,6\n7,8\n")),
        BadInput(
            "unclosed quote", "data.csv-parse", "bad.csv:2:2: a quoted field is not closed",
            text("1,2\n3,\"4\n")),
        BadInput("text after a quote", "data.csv-parse", "bad.csv:1:1: a quoted field", text("\"1\"x,2\n")),
        BadInput("invalid UTF-8", "data.csv-parse", "bad.csv:2:1: '3\u{FFFD}' is not a number") {
            Data("1,2\n".utf8) + Data([0x33, 0xFF, 0x2C, 0x34, 0x0A])
        },
        BadInput("empty file", "data.empty", "the file has no rows", text("\n\n")),
        BadInput("header only", "data.empty", "a header but no data rows", text("a,b\n")),
        BadInput("truncated gzip", "data.decompression", "truncated") {
            try DataFixture.data("with_header.csv.gz").dropLast(12)
        },
    ]

    @Test(arguments: badInputs)
    func rejectsBadInput(_ input: BadInput) throws {
        try input.check { data throws(DataError) in _ = try CSV.read(data, file: "bad.csv") }
    }

    @Test(arguments: [
        (CSV.LabelColumn.index(4), "label column 4: the file has 4 columns"),
        (.index(-5), "label column -5: the file has 4 columns"),
        (.name("species"), "label column 'species': the header has"),
    ])
    func rejectsUnknownLabelColumns(_ column: CSV.LabelColumn, _ message: String) throws {
        let error = try #require(throws: DataError.self) {
            try CSV.read(DataFixture.url("with_header.csv"), labelColumn: column)
        }
        #expect(error.code == "data.label-column")
        #expect(error.description.contains(message), "\(error)")
    }

    @Test func labelNamesNeedAHeader() throws {
        let error = try #require(throws: DataError.self) {
            try CSV.read(DataFixture.url("no_header_float_labels.csv"), labelColumn: "y")
        }
        #expect(error.description.contains("no header row"), "\(error)")
    }
}
