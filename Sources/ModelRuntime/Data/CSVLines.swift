import Foundation

/// Splits CSV bytes into rows of fields, one row at a time, and parses the fields as numbers.
///
/// Fields are comma-separated, optionally double-quoted (`""` is a quote inside quotes), and
/// trimmed of spaces and tabs; lines end in LF or CRLF; a UTF-8 byte-order mark is ignored and
/// blank lines are skipped. Quoted fields may not span lines (numeric data never needs that).
///
/// The current row's fields live in one reused buffer, so reading a large file allocates
/// nothing per row, and nothing per field for numbers of up to 15 characters.
struct CSVLines {
    private let data: Data
    private let file: String
    private var offset: Int
    /// The current row's fields, unquoted and trimmed, back to back.
    private var buffer: [UInt8] = []
    /// Where each field of the current row sits in `buffer`.
    private var ranges: [Range<Int>] = []

    /// The 1-based line number of the current row.
    private(set) var line = 0
    /// The number of fields in the current row.
    var fieldCount: Int { ranges.count }

    /// Rows of `data`; `file` names it in errors.
    init(_ data: Data, file: String) {
        self.data = data
        self.file = file
        offset = data.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    /// Moves to the next non-blank row; false at the end of the data.
    mutating func next() throws(DataError) -> Bool {
        while offset < data.count {
            line += 1
            let start = offset
            var buffer = self.buffer
            var ranges = self.ranges
            self.buffer = []  // keeps the arrays uniquely referenced while they are refilled
            self.ranges = []
            buffer.removeAll(keepingCapacity: true)
            ranges.removeAll(keepingCapacity: true)
            let (end, badColumn) = data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> (Int, Int?) in
                var end = raw.count
                if let base = raw.baseAddress, let newline = memchr(base + start, 0x0A, raw.count - start) {
                    end = base.distance(to: UnsafeRawPointer(newline))
                }
                let stop = end > start && raw[end - 1] == 0x0D ? end - 1 : end
                let bad = Self.split(raw[start..<stop], into: &buffer, ranges: &ranges)
                return (end, bad)
            }
            self.buffer = buffer
            self.ranges = ranges
            offset = end + 1
            if let badColumn {
                throw .csvParse(
                    file: file, line: line, column: badColumn,
                    reason: "a quoted field is not closed on its line, or text follows its closing quote")
            }
            if ranges.count == 1, ranges[0].isEmpty { continue }  // a blank line
            return true
        }
        return false
    }

    /// Field `index` of the current row as text (for headers and messages).
    func text(_ index: Int) -> String {
        String(decoding: buffer[ranges[index]], as: UTF8.self)
    }

    /// Field `index` as a float: the whole field must be a number (Swift's `Float(String)`
    /// syntax, which ignores the process locale: `1.5`, `-2e3`, `nan`, `inf`).
    func float(_ index: Int) -> Float? {
        let range = ranges[index]
        guard !range.isEmpty else { return nil }
        if let value = Self.fastDecimal(buffer[range]) { return value }
        // Numbers of up to 15 bytes become small strings, stored inline: no allocation per field.
        let text = buffer.withUnsafeBufferPointer { bytes in
            String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        }
        return Float(text)
    }

    /// Powers of ten that are exact in Float (5^10 < 2^24).
    private static let exactPowers: [Float] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10]

    /// The value of a short plain decimal, or nil for anything else.
    ///
    /// Accepts `[-]digits[.digits]` whose digits' value is at most 2^24 with at most 10 after the
    /// point. Both operands of the one division are then exact, so the result is correctly rounded
    /// (Clinger's fast path) and equals `Float(String)`'s; other text takes the general parser.
    private static func fastDecimal(_ bytes: ArraySlice<UInt8>) -> Float? {
        var mantissa = 0
        var fractionDigits = 0
        var seenPoint = false
        var seenDigit = false
        var index = bytes.startIndex
        let negative = bytes.first == UInt8(ascii: "-")
        if negative { index += 1 }
        while index < bytes.endIndex {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
                continue
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            mantissa = mantissa * 10 + Int(byte - UInt8(ascii: "0"))
            seenDigit = true
            if seenPoint { fractionDigits += 1 }
            guard mantissa <= 1 << 24, fractionDigits <= 10 else { return nil }
        }
        guard seenDigit else { return nil }
        let magnitude = Float(mantissa) / exactPowers[fractionDigits]
        return negative ? -magnitude : magnitude
    }

    /// Field `index` as an integer when it is written as one (an optional sign, then digits) and fits.
    func integer(_ index: Int) -> Int64? {
        var digits = buffer[ranges[index]]
        let negative = digits.first == UInt8(ascii: "-")
        if negative || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let digit = Int64(byte - UInt8(ascii: "0"))
            let (sum, overflow2) =
                negative
                ? times10.subtractingReportingOverflow(digit)
                : times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return value
    }

    /// Splits one line into `buffer`/`ranges`; returns the 1-based column of a malformed quoted field.
    private static func split(
        _ line: Slice<UnsafeRawBufferPointer>, into buffer: inout [UInt8], ranges: inout [Range<Int>]
    ) -> Int? {
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\"")
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
        var index = line.startIndex
        while true {
            while index < line.endIndex, isBlank(line[index]) { index += 1 }
            let fieldStart = buffer.count
            if index < line.endIndex, line[index] == quote {
                index += 1
                var closed = false
                while index < line.endIndex {
                    let byte = line[index]
                    index += 1
                    if byte != quote {
                        buffer.append(byte)
                    } else if index < line.endIndex, line[index] == quote {
                        buffer.append(quote)  // "" inside quotes is one quote
                        index += 1
                    } else {
                        closed = true
                        break
                    }
                }
                while index < line.endIndex, isBlank(line[index]) { index += 1 }
                guard closed, index == line.endIndex || line[index] == comma else { return ranges.count + 1 }
            } else {
                while index < line.endIndex, line[index] != comma {
                    buffer.append(line[index])
                    index += 1
                }
                while buffer.count > fieldStart, let last = buffer.last, isBlank(last) { buffer.removeLast() }
            }
            ranges.append(fieldStart..<buffer.count)
            if index >= line.endIndex { return nil }
            index += 1  // past the comma; a trailing comma leaves one empty field
        }
    }
}
