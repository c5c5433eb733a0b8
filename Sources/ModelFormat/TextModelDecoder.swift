import Foundation
import SwiftProtobuf

/// Decodes protobuf text format and, on failure, reports the line and column at fault.
///
/// swift-protobuf's text decoder says *what* failed but not *where*. So on failure a small
/// scanner of our own first checks the syntax (brackets, colons, strings, numbers) and reports
/// the first syntax error with its position; when the syntax is sound the error is a schema
/// error (unknown field, bad enum name, wrong value kind), which is located by decoding
/// growing prefixes of the field tree until the first field that fails.
enum TextModelDecoder {
    static func decode(_ bytes: Data, fileName: String, limits: FormatLimits) throws(FormatError) -> ProtoModel {
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw .textSyntax(file: fileName, line: 1, column: 1, reason: "the file is not valid UTF-8 text")
        }
        var options = TextFormatDecodingOptions()
        options.messageDepthLimit = limits.maxMessageDepth
        do {
            return try ProtoModel(textFormatString: text, options: options)
        } catch {
            throw locate(error, in: Array(text.utf8), fileName: fileName, options: options)
        }
    }

    private static func locate(
        _ error: any Error, in text: [UInt8], fileName: String, options: TextFormatDecodingOptions
    ) -> FormatError {
        var scanner = TextFormatScanner(text)
        let fields: [TextField]
        do {
            fields = try scanner.parseFields(closing: nil)
        } catch {
            let (line, column) = position(of: error.offset, in: text)
            return .textSyntax(file: fileName, line: line, column: column, reason: error.message)
        }
        let decodes: ([UInt8]) -> Bool = { candidate in
            (try? ProtoModel(textFormatString: String(decoding: candidate, as: UTF8.self), options: options)) != nil
        }
        if let path = firstFailing(fields, prefix: [], suffix: [], text: text, decodes: decodes),
            let culprit = path.last
        {
            let (line, column) = position(of: culprit.nameStart, in: text)
            let name = String(decoding: text[culprit.nameStart..<culprit.nameEnd], as: UTF8.self)
            let hint = TextFieldHints(text: text, path: path, decodes: decodes).hint(for: error)
            return .textSyntax(
                file: fileName, line: line, column: column,
                reason: "field '\(name)': \(hint ?? reason(for: error))")
        }
        return .textSyntax(file: fileName, line: 1, column: 1, reason: reason(for: error))
    }

    /// The innermost field whose inclusion makes decoding fail, found by binary search over
    /// sibling prefixes and then descent into the failing message field; returned with the
    /// message fields that enclose it, outermost first.
    private static func firstFailing(
        _ fields: [TextField], prefix: [UInt8], suffix: [UInt8], text: [UInt8], decodes: ([UInt8]) -> Bool
    ) -> [TextField]? {
        guard !fields.isEmpty else { return nil }
        func candidate(upTo count: Int) -> [UInt8] {
            var bytes = prefix
            for field in fields.prefix(count) {
                bytes += text[field.start..<field.end]
                bytes.append(10)
            }
            return bytes + suffix
        }
        guard !decodes(candidate(upTo: fields.count)) else { return nil }
        var low = 0  // candidate(upTo: low) decodes
        var high = fields.count  // candidate(upTo: high) fails
        if !decodes(candidate(upTo: 0)) { return nil }
        while high - low > 1 {
            let middle = (low + high) / 2
            if decodes(candidate(upTo: middle)) { low = middle } else { high = middle }
        }
        let culprit = fields[high - 1]
        if let body = culprit.body {
            let innerPrefix = prefix + text[culprit.start..<body.start]
            let innerSuffix = Array(text[body.end..<culprit.end]) + suffix
            if let inner = firstFailing(
                body.fields, prefix: innerPrefix, suffix: innerSuffix, text: text, decodes: decodes)
            {
                return [culprit] + inner
            }
        }
        return [culprit]
    }

    private static func position(of offset: Int, in text: [UInt8]) -> (line: Int, column: Int) {
        var line = 1
        var column = 1
        for byte in text.prefix(offset) {
            if byte == 10 {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1  // count characters, not UTF-8 continuation bytes
            }
        }
        return (line, column)
    }

    private static func reason(for error: any Error) -> String {
        switch error {
        case TextFormatDecodingError.unknownField: "unknown field name for this message (check the spelling)"
        case TextFormatDecodingError.unrecognizedEnumValue: "not a value of this field's enum"
        case TextFormatDecodingError.malformedNumber: "malformed or out-of-range number"
        case TextFormatDecodingError.malformedText: "value of the wrong kind for this field"
        case TextFormatDecodingError.messageDepthLimit: "messages nested deeper than the limit"
        case TextFormatDecodingError.invalidUTF8: "invalid UTF-8 in a string"
        case TextFormatDecodingError.trailingGarbage: "unexpected text after the message"
        case TextFormatDecodingError.truncated: "the text ends inside a message"
        default: String(describing: error)
        }
    }
}

/// One field of a text-format message, as byte ranges into the text.
struct TextField {
    var start: Int
    var end: Int
    var nameStart: Int
    var nameEnd: Int
    /// For a message-valued field, the range between its brackets and the fields inside.
    var body: (start: Int, end: Int, fields: [TextField])?
}

/// A syntax-only scanner of protobuf text format (no schema), with byte offsets.
struct TextFormatScanner {
    struct SyntaxError: Error {
        var offset: Int
        var message: String
    }

    private let text: [UInt8]
    private var index = 0
    private var depth = 0

    init(_ text: [UInt8]) { self.text = text }

    /// Fields up to `closing` (a `}` or `>` byte) or the end of the text.
    mutating func parseFields(closing: UInt8?) throws(SyntaxError) -> [TextField] {
        var fields: [TextField] = []
        while true {
            skipSpace()
            guard index < text.count else {
                if let closing {
                    throw SyntaxError(offset: index, message: "missing '\(Character(UnicodeScalar(closing)))' before the end of the file")
                }
                return fields
            }
            if let closing, text[index] == closing { return fields }
            if text[index] == UInt8(ascii: "}") || text[index] == UInt8(ascii: ">") {
                throw SyntaxError(offset: index, message: "unmatched '\(Character(UnicodeScalar(text[index])))'")
            }
            fields.append(try parseField())
            skipSpace()
            if index < text.count, text[index] == UInt8(ascii: ",") || text[index] == UInt8(ascii: ";") { index += 1 }
        }
    }

    private mutating func parseField() throws(SyntaxError) -> TextField {
        let start = index
        try parseFieldName()
        let nameEnd = index
        skipSpace()
        guard index < text.count else {
            throw SyntaxError(offset: index, message: "the file ends after a field name; expected ':' or '{'")
        }
        var field = TextField(start: start, end: start, nameStart: start, nameEnd: nameEnd, body: nil)
        if text[index] == UInt8(ascii: ":") {
            index += 1
            skipSpace()
            if index < text.count, text[index] == UInt8(ascii: "[") {
                try parseList()
            } else if index < text.count, text[index] == UInt8(ascii: "{") || text[index] == UInt8(ascii: "<") {
                field.body = try parseMessageBody()
            } else {
                try parseScalar()
            }
        } else if text[index] == UInt8(ascii: "{") || text[index] == UInt8(ascii: "<") {
            field.body = try parseMessageBody()
        } else {
            let name = String(decoding: text[start..<nameEnd], as: UTF8.self)
            throw SyntaxError(offset: index, message: "expected ':' or '{' after field name '\(name)'")
        }
        field.end = index
        return field
    }

    private mutating func parseFieldName() throws(SyntaxError) {
        if text[index] == UInt8(ascii: "[") {  // extension or Any type URL
            guard let close = text[index...].firstIndex(of: UInt8(ascii: "]")) else {
                throw SyntaxError(offset: index, message: "unterminated '[' in a field name")
            }
            index = close + 1
            return
        }
        guard isIdentifierStart(text[index]) else {
            throw SyntaxError(offset: index, message: "expected a field name, found '\(Character(UnicodeScalar(text[index])))'")
        }
        while index < text.count, isIdentifierPart(text[index]) { index += 1 }
    }

    private mutating func parseMessageBody() throws(SyntaxError) -> (start: Int, end: Int, fields: [TextField]) {
        let open = text[index]
        let closing = open == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: ">")
        depth += 1
        if depth > 100 { throw SyntaxError(offset: index, message: "messages nested too deeply") }
        index += 1
        let bodyStart = index
        let fields = try parseFields(closing: closing)
        let bodyEnd = index
        index += 1  // the closing bracket
        depth -= 1
        return (bodyStart, bodyEnd, fields)
    }

    private mutating func parseList() throws(SyntaxError) {
        index += 1  // '['
        skipSpace()
        if index < text.count, text[index] == UInt8(ascii: "]") {
            index += 1
            return
        }
        while true {
            skipSpace()
            guard index < text.count else { throw SyntaxError(offset: index, message: "missing ']' before the end of the file") }
            if text[index] == UInt8(ascii: "{") || text[index] == UInt8(ascii: "<") {
                _ = try parseMessageBody()
            } else {
                try parseScalar()
            }
            skipSpace()
            guard index < text.count else { throw SyntaxError(offset: index, message: "missing ']' before the end of the file") }
            if text[index] == UInt8(ascii: ",") {
                index += 1
            } else if text[index] == UInt8(ascii: "]") {
                index += 1
                return
            } else {
                throw SyntaxError(offset: index, message: "expected ',' or ']' in a list")
            }
        }
    }

    private mutating func parseScalar() throws(SyntaxError) {
        guard index < text.count else { throw SyntaxError(offset: index, message: "expected a value") }
        let byte = text[index]
        if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
            while index < text.count, text[index] == UInt8(ascii: "\"") || text[index] == UInt8(ascii: "'") {
                try parseString()
                skipSpace()
            }
            return
        }
        if byte == UInt8(ascii: "-") {
            index += 1
            skipSpace()
            guard index < text.count else { throw SyntaxError(offset: index, message: "expected a number after '-'") }
        }
        guard index < text.count else { throw SyntaxError(offset: index, message: "expected a value") }
        let first = text[index]
        if isDigit(first) || first == UInt8(ascii: ".") {
            let numberStart = index
            while index < text.count {
                let current = text[index]
                if isIdentifierPart(current) || current == UInt8(ascii: ".") {
                    index += 1
                } else if (current == UInt8(ascii: "-") || current == UInt8(ascii: "+")),
                    text[index - 1] == UInt8(ascii: "e") || text[index - 1] == UInt8(ascii: "E"),
                    text[numberStart] != UInt8(ascii: "0") || index - numberStart < 2
                        || (text[numberStart + 1] != UInt8(ascii: "x") && text[numberStart + 1] != UInt8(ascii: "X"))
                {
                    index += 1
                } else {
                    break
                }
            }
        } else if isIdentifierStart(first) {
            while index < text.count, isIdentifierPart(text[index]) { index += 1 }
        } else {
            throw SyntaxError(offset: index, message: "expected a value, found '\(Character(UnicodeScalar(first)))'")
        }
    }

    private mutating func parseString() throws(SyntaxError) {
        let quote = text[index]
        let start = index
        index += 1
        while index < text.count {
            let byte = text[index]
            if byte == quote {
                index += 1
                return
            }
            if byte == 10 { break }
            index += byte == UInt8(ascii: "\\") ? 2 : 1
        }
        throw SyntaxError(offset: start, message: "unterminated string")
    }

    private mutating func skipSpace() {
        while index < text.count {
            let byte = text[index]
            if byte == 32 || byte == 9 || byte == 10 || byte == 13 {
                index += 1
            } else if byte == UInt8(ascii: "#") {
                while index < text.count, text[index] != 10 { index += 1 }
            } else {
                return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }
    private func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= 65 && byte <= 90) || (byte >= 97 && byte <= 122) || byte == 95
    }
    private func isIdentifierPart(_ byte: UInt8) -> Bool { isIdentifierStart(byte) || isDigit(byte) }
}
