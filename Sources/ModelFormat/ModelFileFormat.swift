import Foundation

/// The three on-disk encodings of a model.
public enum ModelFileFormat: String, Sendable, CaseIterable, Codable {
    /// Binary protobuf of `ProtoModel` (`.model`).
    case binary
    /// Protobuf text format of `ProtoModel` (`.pbtxt`), for hand-written models.
    case text
    /// ONNX `ModelProto` (`.onnx`), imported and exported with a mapping.
    case onnx

    /// Name used in messages.
    public var displayName: String {
        switch self {
        case .binary: "binary model (.model)"
        case .text: "text model (.pbtxt)"
        case .onnx: "ONNX (.onnx)"
        }
    }

    /// The format named by a path's extension, or nil when the extension says nothing.
    public init?(pathExtension: String) {
        switch pathExtension.lowercased() {
        case "model", "pb", "bin": self = .binary
        case "pbtxt", "textproto", "txtpb", "prototxt": self = .text
        case "onnx": self = .onnx
        default: return nil
        }
    }

    /// The format of `url`: by extension, else by sniffing `bytes`.
    public static func detect(url: URL, bytes: Data) -> ModelFileFormat {
        ModelFileFormat(pathExtension: url.pathExtension) ?? sniff(bytes)
    }

    /// Guesses the format from content: text when the first bytes are printable UTF-8
    /// starting like a text-format field or comment; otherwise ONNX when the bytes decode as an
    /// ONNX model that declares an opset (every ONNX model does), else our binary format.
    public static func sniff(_ bytes: Data) -> ModelFileFormat {
        let head = bytes.prefix(512)
        let looksTextual = !head.isEmpty && head.allSatisfy { byte in
            byte == 9 || byte == 10 || byte == 13 || (byte >= 32 && byte != 127)
        }
        if looksTextual, let first = head.first(where: { $0 != 32 && $0 != 9 && $0 != 10 && $0 != 13 }) {
            let isIdentifierStart = (first >= 65 && first <= 90) || (first >= 97 && first <= 122) || first == 95
            if isIdentifierStart || first == 35 { return .text }
        }
        var options = FormatLimits.default.binaryDecodingOptions
        options.discardUnknownFields = true
        if let onnx = try? Onnx_ModelProto(serializedBytes: bytes, options: options), !onnx.opsetImport.isEmpty,
            onnx.hasGraph
        {
            return .onnx
        }
        return .binary
    }
}
