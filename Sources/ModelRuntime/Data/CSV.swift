import Foundation

/// Numeric CSV files (`.csv`, and gzip-compressed `.csv.gz`): feature columns and one label column.
///
/// The first non-blank row is a header when any of its fields is not a number. Every other row
/// must have the same number of fields, each a decimal number (`nan` and `inf` parse, and are
/// caught later by `Dataset`'s finiteness check). Errors name the file, the 1-based line and the
/// 1-based column (field number).
public enum CSV {
    /// The column that holds the labels.
    public enum LabelColumn: Sendable, Equatable, ExpressibleByIntegerLiteral, ExpressibleByStringLiteral {
        /// A 0-based column index; negative counts from the end (−1 is the last column).
        case index(Int)
        /// The column whose header field is this name (the file must have a header).
        case name(String)
        /// No label column: every column is a feature (inference inputs).
        case none

        /// The last column, the default.
        public static let last = LabelColumn.index(-1)

        /// `.index(value)`, so `labelColumn: 0` reads as the first column.
        public init(integerLiteral value: Int) { self = .index(value) }
        /// `.name(value)`, so `labelColumn: "species"` reads as the column of that header.
        public init(stringLiteral value: String) { self = .name(value) }

        /// How the column is written in messages.
        var display: String {
            switch self {
            case .index(let index): "\(index)"
            case .name(let name): "'\(name)'"
            case .none: "none"
            }
        }
    }

    /// The contents of a CSV file.
    public struct Table: Sendable, Equatable {
        /// Features `[N, F]`, float32, in file column order without the label column.
        public var features: Tensor
        /// Labels `[N]`: int64 when every label is written as an integer (`3`, `-1`), otherwise
        /// float32; nil for `LabelColumn.none`.
        public var labels: Tensor?
        /// The header fields, when the file has a header row.
        public var header: [String]?
        /// The label column's 0-based index, nil for `LabelColumn.none`.
        public var labelColumn: Int? = nil
        /// The 1-based line of each data row, so a bad label can be found in the file.
        public var lines: [Int] = []
    }

    /// Reads the CSV file at `url`; gzip data (by content, whatever the extension) is inflated first.
    public static func read(
        _ url: URL, labelColumn: LabelColumn = .last, limits: DataLimits = DataLimits()
    ) throws(DataError) -> Table {
        try read(DataFile.read(url, limits: limits), file: url.path, labelColumn: labelColumn, limits: limits)
    }

    /// Reads CSV bytes (plain or gzip); `file` names them in errors.
    public static func read(
        _ data: Data, file: String, labelColumn: LabelColumn = .last, limits: DataLimits = DataLimits()
    ) throws(DataError) -> Table {
        let text = Zlib.isGzip(data) ? try Zlib.gunzip(data, limit: limits.maxArrayBytes, file: file) : data
        var lines = CSVLines(text, file: file)
        guard try lines.next() else { throw .empty(file: file, reason: "the file has no rows") }
        let firstLine = lines.line
        let width = lines.fieldCount
        let isHeader = (0..<width).contains { lines.float($0) == nil }
        let header = isHeader ? (0..<width).map { lines.text($0) } : nil
        let labelIndex = try resolve(labelColumn, width: width, header: header, file: file)

        var features: [Float] = []
        var integerLabels: [Int64] = []
        var floatLabels: [Float] = []
        var allIntegers = true
        var rowCount = 0
        var rowLines: [Int] = []
        var hasRow = isHeader ? try lines.next() : true
        while hasRow {
            rowLines.append(lines.line)
            guard lines.fieldCount == width else {
                throw .csvParse(
                    file: file, line: lines.line, column: nil,
                    reason: "the row has \(lines.fieldCount) fields, but line \(firstLine) has \(width)")
            }
            for column in 0..<width {
                guard let value = lines.float(column) else {
                    let field = lines.text(column)
                    let what = field.isEmpty ? "an empty field" : "'\(field.prefix(40))'"
                    let role = column == labelIndex ? "label" : "feature"
                    throw .csvParse(
                        file: file, line: lines.line, column: column + 1, reason: "\(what) is not a number (\(role))")
                }
                guard column == labelIndex else {
                    features.append(value)
                    continue
                }
                floatLabels.append(value)
                if allIntegers, let integer = lines.integer(column) {
                    integerLabels.append(integer)
                } else {
                    allIntegers = false
                }
            }
            rowCount += 1
            hasRow = try lines.next()
        }
        guard rowCount > 0 else { throw .empty(file: file, reason: "the file has a header but no data rows") }
        let featureCount = labelIndex == nil ? width : width - 1
        let labels: Tensor? = labelIndex.map { _ in
            allIntegers
                ? Tensor(shape: [rowCount], int64s: integerLabels)
                : Tensor(shape: [rowCount], scalars: floatLabels)
        }
        return Table(
            features: Tensor(shape: [rowCount, featureCount], scalars: features), labels: labels,
            header: header, labelColumn: labelIndex, lines: rowLines)
    }

    /// The 0-based index of the label column among `width` columns, nil for `.none`.
    static func resolve(
        _ column: LabelColumn, width: Int, header: [String]?, file: String
    ) throws(DataError) -> Int? {
        switch column {
        case .none:
            return nil
        case .index(let index):
            guard index < width, index >= -width else {
                throw .labelColumn(
                    file: file, column: column.display,
                    reason: "the file has \(width) columns (0..<\(width), or "
                        + "negative from the end)")
            }
            return index < 0 ? width + index : index
        case .name(let name):
            guard let header else {
                throw .labelColumn(
                    file: file, column: column.display, reason: "the file has no header row to find names in")
            }
            guard let index = header.firstIndex(of: name) else {
                let shown = header.prefix(20).map { "'\($0)'" }.joined(separator: ", ")
                throw .labelColumn(
                    file: file, column: column.display,
                    reason: "the header has no such name; its columns are \(shown)"
                        + (header.count > 20 ? ", … (\(header.count) columns)" : ""))
            }
            return index
        }
    }
}
