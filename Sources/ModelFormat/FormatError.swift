import Foundation

/// An error reading or writing a model file: what went wrong, and where.
///
/// Every case names the file (when one is involved) and the field or tensor concerned. The
/// `code` is stable (`format.truncated`, `tensor.size-mismatch`, ...) so tests and tools can
/// match on it; `description` renders a one-line message in the `file: what: detail` style.
public enum FormatError: Error, Equatable, Sendable {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The bytes are not a valid binary protobuf message of the expected kind.
    case malformedBinary(file: String, format: ModelFileFormat, reason: String)
    /// The text format has a syntax or schema error at a line and column (1-based).
    case textSyntax(file: String, line: Int, column: Int, reason: String)
    /// The file's format could not be told from its extension or its content.
    case unknownFormat(file: String, reason: String)
    /// A tensor's declared shape, type and stored values disagree.
    case invalidTensor(file: String?, tensor: String, field: String, reason: String)
    /// A stated limit (`FormatLimits`) was exceeded.
    case limitExceeded(file: String?, what: String, value: String, limit: String)
    /// A compressed payload is corrupt or inflates past its declared size.
    case compression(file: String?, tensor: String, reason: String)
    /// An external-data reference is unsafe or points outside its file.
    case externalData(file: String?, tensor: String, location: String, reason: String)
    /// An ONNX file uses features this format does not represent; every problem is listed.
    case unsupportedONNX(file: String?, problems: [String])
    /// Writing the file failed; the destination is unchanged.
    case writeFailed(file: String, reason: String)

    /// Stable machine-readable code of the error.
    public var code: String {
        switch self {
        case .unreadable: "format.unreadable"
        case .malformedBinary: "format.malformed"
        case .textSyntax: "format.text-syntax"
        case .unknownFormat: "format.unknown"
        case .invalidTensor: "tensor.invalid"
        case .limitExceeded: "format.limit-exceeded"
        case .compression: "tensor.compression"
        case .externalData: "tensor.external-data"
        case .unsupportedONNX: "onnx.unsupported"
        case .writeFailed: "format.write-failed"
        }
    }

    /// The file the error concerns, when known.
    public var file: String? {
        switch self {
        case .unreadable(let file, _), .malformedBinary(let file, _, _), .textSyntax(let file, _, _, _),
            .unknownFormat(let file, _), .writeFailed(let file, _):
            file
        case .invalidTensor(let file, _, _, _), .limitExceeded(let file, _, _, _), .compression(let file, _, _),
            .externalData(let file, _, _, _), .unsupportedONNX(let file, _):
            file
        }
    }

    /// The same error attributed to `file` when it did not know its file yet.
    public func attributed(to file: String) -> FormatError {
        switch self {
        case .invalidTensor(nil, let tensor, let field, let reason):
            .invalidTensor(file: file, tensor: tensor, field: field, reason: reason)
        case .limitExceeded(nil, let what, let value, let limit):
            .limitExceeded(file: file, what: what, value: value, limit: limit)
        case .compression(nil, let tensor, let reason): .compression(file: file, tensor: tensor, reason: reason)
        case .externalData(nil, let tensor, let location, let reason):
            .externalData(file: file, tensor: tensor, location: location, reason: reason)
        case .unsupportedONNX(nil, let problems): .unsupportedONNX(file: file, problems: problems)
        default: self
        }
    }
}

extension FormatError: CustomStringConvertible {
    /// One line: `<file>: <what>: <detail>`.
    public var description: String {
        let prefix = file.map { "\($0): " } ?? ""
        switch self {
        case .unreadable(_, let reason):
            return "\(prefix)cannot read the file: \(reason)"
        case .malformedBinary(_, let format, let reason):
            return "\(prefix)not a valid \(format.displayName) file: \(reason)"
        case .textSyntax(_, let line, let column, let reason):
            return "\(file ?? "<text>"):\(line):\(column): \(reason)"
        case .unknownFormat(_, let reason):
            return "\(prefix)unknown model format: \(reason)"
        case .invalidTensor(_, let tensor, let field, let reason):
            return "\(prefix)tensor '\(tensor)', field \(field): \(reason)"
        case .limitExceeded(_, let what, let value, let limit):
            return "\(prefix)\(what) is \(value), over the limit of \(limit) (FormatLimits)"
        case .compression(_, let tensor, let reason):
            return "\(prefix)tensor '\(tensor)': compressed payload: \(reason)"
        case .externalData(_, let tensor, let location, let reason):
            return "\(prefix)tensor '\(tensor)': external data '\(location)': \(reason)"
        case .unsupportedONNX(_, let problems):
            return "\(prefix)the ONNX model uses \(problems.count) unsupported feature(s): "
                + problems.joined(separator: "; ")
        case .writeFailed(_, let reason):
            return "\(prefix)cannot write the file (left unchanged): \(reason)"
        }
    }
}
