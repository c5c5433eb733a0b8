import Foundation

/// A Python literal as `.npy` headers use them: dicts with string keys, tuples, lists, strings,
/// integers, `True`, `False` and `None` (numpy reads headers with `ast.literal_eval`).
indirect enum PythonLiteral: Equatable, CustomStringConvertible {
    /// One `key: value` pair of a dict, in file order.
    struct Entry: Equatable {
        var key: String
        var value: PythonLiteral
    }

    case string(String)
    case int(Int)
    case bool(Bool)
    case none
    case tuple([PythonLiteral])
    case list([PythonLiteral])
    case dict([Entry])

    var description: String {
        switch self {
        case .string(let string): "'\(string)'"
        case .int(let value): "\(value)"
        case .bool(let value): value ? "True" : "False"
        case .none: "None"
        case .tuple(let items): "(" + items.map(\.description).joined(separator: ", ") + ")"
        case .list(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .dict(let entries): "{" + entries.map { "'\($0.key)': \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// Why a header literal could not be parsed.
struct PythonLiteralError: Error, Equatable {
    var reason: String
}

/// A recursive-descent parser for `PythonLiteral`, with a nesting bound so hostile headers such
/// as `((((...` cannot exhaust the stack.
struct PythonLiteralParser {
    /// Deepest nesting of brackets accepted.
    static let maxDepth = 32

    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// One literal, surrounded only by whitespace.
    mutating func parseDocument() throws(PythonLiteralError) -> PythonLiteral {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if position < scalars.count {
            throw PythonLiteralError(reason: "unexpected '\(scalars[position])' after the literal")
        }
        return value
    }

    private mutating func parseValue(depth: Int) throws(PythonLiteralError) -> PythonLiteral {
        skipWhitespace()
        guard position < scalars.count else { throw PythonLiteralError(reason: "the literal ends early") }
        let scalar = scalars[position]
        switch scalar {
        case "{", "(", "[":
            guard depth < Self.maxDepth else {
                throw PythonLiteralError(reason: "brackets nested deeper than \(Self.maxDepth)")
            }
            return try parseContainer(opening: scalar, depth: depth + 1)
        case "'", "\"":
            return .string(try parseString())
        case "-", "+", "0"..."9":
            return .int(try parseInt())
        default:
            let word = parseWord()
            switch word {
            case "True": return .bool(true)
            case "False": return .bool(false)
            case "None": return .none
            default: throw PythonLiteralError(reason: "unexpected '\(word.isEmpty ? String(scalar) : word)'")
            }
        }
    }

    /// A dict, tuple or list; a trailing comma is allowed, and `(3)` is the integer 3 as in Python.
    private mutating func parseContainer(
        opening: Unicode.Scalar, depth: Int
    ) throws(PythonLiteralError) -> PythonLiteral {
        let closing: Unicode.Scalar = opening == "{" ? "}" : opening == "(" ? ")" : "]"
        position += 1
        var items: [PythonLiteral] = []
        var entries: [PythonLiteral.Entry] = []
        var sawComma = false
        while true {
            skipWhitespace()
            guard position < scalars.count else { throw PythonLiteralError(reason: "missing '\(closing)'") }
            if scalars[position] == closing {
                position += 1
                break
            }
            if !items.isEmpty || !entries.isEmpty {
                guard scalars[position] == "," else {
                    throw PythonLiteralError(reason: "expected ',' or '\(closing)', found '\(scalars[position])'")
                }
                position += 1
                sawComma = true
                skipWhitespace()
                if position < scalars.count, scalars[position] == closing { continue }
            }
            let value = try parseValue(depth: depth)
            if opening == "{" {
                guard case .string(let key) = value else {
                    throw PythonLiteralError(reason: "a dict key is not a string")
                }
                skipWhitespace()
                guard position < scalars.count, scalars[position] == ":" else {
                    throw PythonLiteralError(reason: "expected ':' after the key '\(key)'")
                }
                position += 1
                if entries.contains(where: { $0.key == key }) {
                    throw PythonLiteralError(reason: "the key '\(key)' appears twice")
                }
                entries.append(.init(key: key, value: try parseValue(depth: depth)))
            } else {
                items.append(value)
            }
        }
        switch opening {
        case "{": return .dict(entries)
        case "[": return .list(items)
        default: return items.count == 1 && !sawComma ? items[0] : .tuple(items)
        }
    }

    private mutating func parseString() throws(PythonLiteralError) -> String {
        let quote = scalars[position]
        position += 1
        var result = String.UnicodeScalarView()
        while position < scalars.count {
            let scalar = scalars[position]
            position += 1
            if scalar == quote { return String(result) }
            if scalar == "\\", position < scalars.count {
                let escaped = scalars[position]
                position += 1
                switch escaped {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(escaped)
                }
            } else {
                result.append(scalar)
            }
        }
        throw PythonLiteralError(reason: "a string is not closed")
    }

    /// A decimal integer; Python 2's `L` suffix (old numpy headers) is accepted.
    private mutating func parseInt() throws(PythonLiteralError) -> Int {
        var negative = false
        if scalars[position] == "-" || scalars[position] == "+" {
            negative = scalars[position] == "-"
            position += 1
        }
        var value = 0
        var digits = 0
        while position < scalars.count, (48...57).contains(scalars[position].value) {
            let digit = Int(scalars[position].value) - 48
            let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(digit)
            if overflow1 || overflow2 { throw PythonLiteralError(reason: "an integer is too large") }
            value = sum
            digits += 1
            position += 1
        }
        guard digits > 0 else { throw PythonLiteralError(reason: "a sign without digits") }
        if position < scalars.count, scalars[position] == "L" || scalars[position] == "l" { position += 1 }
        return negative ? -value : value
    }

    private mutating func parseWord() -> String {
        var word = String.UnicodeScalarView()
        while position < scalars.count, scalars[position].properties.isAlphabetic {
            word.append(scalars[position])
            position += 1
        }
        return String(word)
    }

    private mutating func skipWhitespace() {
        while position < scalars.count, scalars[position].properties.isWhitespace { position += 1 }
    }
}
