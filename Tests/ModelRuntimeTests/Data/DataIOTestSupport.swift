import Foundation
import TestSupport
import Testing

@testable import ModelRuntime

/// Fixtures made by `scripts/fixtures/make_data_fixtures.py`, read in place.
enum DataFixture {
    /// The fixture folder.
    static let folder = SourceTree.url("Tests/ModelRuntimeTests/Data/Fixtures")

    /// The URL of fixture `name`.
    static func url(_ name: String) -> URL { folder.appendingPathComponent(name) }

    /// The bytes of fixture `name`.
    static func data(_ name: String) throws -> Data { try Data(contentsOf: url(name)) }
}

/// A tensor of `type` from values written as doubles (exact for every value the tests use).
func makeTensor(_ shape: [Int], _ type: ElementType, _ values: [Double]) -> Tensor {
    var bytes = Data()
    for value in values {
        switch type {
        case .float32: withUnsafeBytes(of: Float(value)) { bytes.append(contentsOf: $0) }
        case .int64: withUnsafeBytes(of: Int64(value)) { bytes.append(contentsOf: $0) }
        case .int32: withUnsafeBytes(of: Int32(value)) { bytes.append(contentsOf: $0) }
        case .uint8, .bool: bytes.append(UInt8(value))
        }
    }
    guard let tensor = Tensor(shape: shape, type: type, bytes: bytes) else {
        Issue.record("makeTensor: \(values.count) values for shape \(shape)")
        return Tensor(zeros: shape, type: type)
    }
    return tensor
}

/// `(0..<count).map(formula)` as doubles.
func formula(_ count: Int, _ body: (Double) -> Double) -> [Double] {
    (0..<count).map { body(Double($0)) }
}

/// A bad-input case: a name for the test list, the bytes, and the error expected.
struct BadInput: Sendable, CustomTestStringConvertible {
    var name: String
    var bytes: @Sendable () throws -> Data
    var code: String
    /// Text the rendered message must contain (the place and the cause).
    var message: String

    init(_ name: String, _ code: String, _ message: String, _ bytes: @escaping @Sendable () throws -> Data) {
        self.name = name
        self.bytes = bytes
        self.code = code
        self.message = message
    }

    var testDescription: String { name }

    /// Runs `read` on the bytes and checks the error's code and message.
    func check(
        _ read: (Data) throws(DataError) -> Void, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let input = try bytes()
        do {
            try read(input)
            Issue.record("\(name): read succeeded, expected \(code)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(name): \(error)", sourceLocation: sourceLocation)
            #expect(error.description.contains(message), "\(name): \(error)", sourceLocation: sourceLocation)
        }
    }
}

/// `.npy` version 1.0 bytes with the header dict `dict` (padded as numpy pads) and `payload`.
func npyBytes(dict: String, payload: Data = Data()) -> Data {
    var header = Array(dict.utf8)
    while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
    header.append(0x0A)
    var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)])
    data.append(contentsOf: header)
    data.append(payload)
    return data
}

/// `data` with the byte at `offset` replaced by `value`.
func patched(_ data: Data, at offset: Int, to value: UInt8) -> Data {
    var copy = Data(data)
    copy[copy.startIndex + offset] = value
    return copy
}

/// One array as `numpy.load` sees it.
struct NumpyArray: Decodable {
    let dtype: String
    let shape: [Int]
    let data: [Double]
}

/// The arrays of `url` as numpy reads them (scripts/fixtures/npz_to_json.py), the
/// independent reader for archives our writer produced.
func numpyView(of url: URL) throws -> [String: NumpyArray] {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", SourceTree.url("scripts/fixtures/npz_to_json.py").path, url.path]
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    let bytes = output.fileHandleForReading.readDataToEndOfFile()
    let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "numpy could not read \(url.lastPathComponent): \(message)")
    return try JSONDecoder().decode([String: NumpyArray].self, from: bytes)
}
