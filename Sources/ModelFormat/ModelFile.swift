import Foundation
import SwiftProtobuf

/// The model message. The name reads as in the design (`Model(contentsOf:)`); the other
/// messages keep their `Proto` prefix because `Graph`, `Node` and `Tensor` name IR and runtime types.
public typealias Model = ProtoModel

extension ProtoModel {
    /// Reads a model from `.model`, `.pbtxt` or `.onnx` (by extension, else by content).
    ///
    /// Throws `FormatError` naming the file for unreadable, truncated or malformed input; a
    /// text-format error carries its line and column. ONNX files are mapped by `ONNXImport`.
    public init(contentsOf url: URL, format: ModelFileFormat? = nil, limits: FormatLimits = .default)
        throws(FormatError)
    {
        let bytes = try FileBytes.read(url, limit: limits.maxFileBytes)
        let resolved = format ?? ModelFileFormat.detect(url: url, bytes: bytes)
        try self.init(serialized: bytes, format: resolved, fileName: url.path, limits: limits)
    }

    /// Decodes a model from bytes in `format`; `fileName` appears in error messages.
    public init(serialized bytes: Data, format: ModelFileFormat, fileName: String, limits: FormatLimits = .default)
        throws(FormatError)
    {
        switch format {
        case .binary:
            do {
                self = try ProtoModel(serializedBytes: bytes, options: limits.binaryDecodingOptions)
            } catch {
                throw .malformedBinary(file: fileName, format: .binary, reason: describe(error))
            }
            if bytes.isEmpty {
                throw .malformedBinary(file: fileName, format: .binary, reason: "the file is empty")
            }
        case .text:
            self = try TextModelDecoder.decode(bytes, fileName: fileName, limits: limits)
        case .onnx:
            let onnx: Onnx_ModelProto
            do {
                onnx = try Onnx_ModelProto(serializedBytes: bytes, options: limits.binaryDecodingOptions)
            } catch {
                throw .malformedBinary(file: fileName, format: .onnx, reason: describe(error))
            }
            do {
                self = try ONNXImport.convert(onnx)
            } catch {
                throw error.attributed(to: fileName)
            }
        }
    }

    /// The model encoded as binary protobuf or protobuf text. ONNX export needs the op
    /// registry for attribute kinds, so it lives in ModelCompiler (`ONNXExport`).
    public func serialized(format: ModelFileFormat, fileName: String = "<memory>") throws(FormatError) -> Data {
        switch format {
        case .binary:
            do {
                return try serializedBytes()
            } catch {
                throw .writeFailed(file: fileName, reason: describe(error))
            }
        case .text:
            return Data(textFormatString().utf8)
        case .onnx:
            throw .writeFailed(
                file: fileName, reason: "ONNX export needs the op registry: use ModelCompiler's ONNXExport")
        }
    }

    /// Writes the model atomically (temporary file in the same folder, then rename), in the
    /// format named by the extension (`.model` binary unless the extension says `.pbtxt`).
    public func write(to url: URL, format: ModelFileFormat? = nil) throws(FormatError) {
        let resolved = format ?? ModelFileFormat(pathExtension: url.pathExtension) ?? .binary
        try AtomicFile.write(serialized(format: resolved, fileName: url.path), to: url)
    }
}

extension FormatLimits {
    /// swift-protobuf decoding options that apply these limits.
    var binaryDecodingOptions: BinaryDecodingOptions {
        var options = BinaryDecodingOptions()
        options.messageDepthLimit = maxMessageDepth
        return options
    }
}

/// A sentence for a swift-protobuf or system error.
func describe(_ error: any Error) -> String {
    switch error {
    case BinaryDecodingError.truncated: return "truncated: the data ends inside a field"
    case BinaryDecodingError.malformedProtobuf: return "malformed protobuf: bytes that are not a valid field encoding"
    case BinaryDecodingError.messageDepthLimit: return "messages nested deeper than the limit"
    case BinaryDecodingError.invalidUTF8: return "a string field holds invalid UTF-8"
    default: return String(describing: error)
    }
}

/// Whole-file reads with a size limit and errors that name the file.
public enum FileBytes {
    /// The bytes of `url`, refusing files over `limit` bytes and anything that is not a
    /// regular file (a FIFO, device or folder is named as such, and never blocks the read).
    /// Files from 1 MiB up are memory-mapped.
    public static func read(_ url: URL, limit: Int) throws(FormatError) -> Data {
        let path = url.path
        let file: RegularFile
        do {
            file = try RegularFile(path: path)
        } catch {
            throw .unreadable(file: path, reason: error.reason)
        }
        if file.size > limit {
            throw .limitExceeded(file: path, what: "file size", value: "\(file.size) bytes", limit: "\(limit) bytes")
        }
        let bytes =
            file.size >= 1 << 20 ? file.map(offset: 0, length: file.size) : file.read(offset: 0, length: file.size)
        switch bytes {
        case .success(let data): return data
        case .failure(let refusal): throw .unreadable(file: path, reason: refusal.reason)
        }
    }
}
