import Foundation
import ModelFormat

/// One ONNX backend test case on disk: `<name>/model.onnx` with `test_data_set_*/input_*.pb` and
/// `output_*.pb`, and the tolerances its outputs are compared at.
public struct ConformanceCase: Sendable, Codable, Equatable {
    /// The case folder's name, e.g. `test_relu`.
    public var name: String
    /// The case folder.
    public var directory: URL
    /// The op the case tests (the nodes' op types joined by `+` when they differ).
    public var op: String
    /// Relative tolerance (ONNX default 1e-3).
    public var rtol: Double
    /// Absolute tolerance (ONNX default 1e-7).
    public var atol: Double

    /// ONNX's default relative tolerance for node tests.
    public static let defaultRTol = 1e-3
    /// ONNX's default absolute tolerance for node tests.
    public static let defaultATol = 1e-7

    public init(name: String, directory: URL, op: String, rtol: Double = defaultRTol, atol: Double = defaultATol) {
        self.name = name
        self.directory = directory
        self.op = op
        self.rtol = rtol
        self.atol = atol
    }
}

/// An error finding the cases of a suite.
public struct ConformanceSuiteError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Finds the cases under a folder written by `scripts/conformance/export_cases.py` (or any
/// folder of ONNX node-test case folders, such as onnx's own `backend/test/data/node`).
public enum ConformanceSuite {
    /// One entry of `cases.json`.
    struct IndexEntry: Decodable {
        var op: String?
        var rtol: Double?
        var atol: Double?
    }

    /// The cases in `directory`, sorted by name. A folder holding `model.onnx` is one case;
    /// otherwise every sub-folder holding one is. `cases.json` beside the case folders gives
    /// each case's op and tolerances; without an entry the op is read from the model and the
    /// tolerances are ONNX's defaults.
    public static func discover(_ directory: URL) throws(ConformanceSuiteError) -> [ConformanceCase] {
        let fileManager = FileManager.default
        var isDirectory: ObjCBool = false
        guard fileManager.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ConformanceSuiteError(description: "\(directory.path): no such folder")
        }
        if isCaseFolder(directory) {
            let index = try readIndex(directory.deletingLastPathComponent())
            return [makeCase(directory, index: index)]
        }
        let index = try readIndex(directory)
        let names: [String]
        do {
            names = try fileManager.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw ConformanceSuiteError(
                description: "\(directory.path): cannot list the folder: \(error.localizedDescription)")
        }
        let folders = names.sorted().map { directory.appendingPathComponent($0) }
            .filter { fileManager.fileExists(atPath: $0.appendingPathComponent("model.onnx").path) }
        guard !folders.isEmpty else {
            throw ConformanceSuiteError(
                description: "\(directory.path): no case folders (sub-folders holding model.onnx); "
                    + "write them with scripts/conformance/export_cases.py")
        }
        return folders.map { makeCase($0, index: index) }
    }

    /// Whether `directory` is one case folder (holds `model.onnx`) rather than a suite.
    public static func isCaseFolder(_ directory: URL) -> Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.onnx").path)
    }

    private static func readIndex(_ directory: URL) throws(ConformanceSuiteError) -> [String: IndexEntry] {
        let url = directory.appendingPathComponent("cases.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return [:] }
        do {
            return try JSONDecoder().decode([String: IndexEntry].self, from: Data(contentsOf: url))
        } catch {
            throw ConformanceSuiteError(description: "\(url.path): not a valid case index: \(error)")
        }
    }

    private static func makeCase(_ folder: URL, index: [String: IndexEntry]) -> ConformanceCase {
        let name = folder.lastPathComponent
        let entry = index[name]
        return ConformanceCase(
            name: name, directory: folder, op: entry?.op ?? opLabel(of: folder.appendingPathComponent("model.onnx")),
            rtol: entry?.rtol ?? ConformanceCase.defaultRTol, atol: entry?.atol ?? ConformanceCase.defaultATol)
    }

    /// The op types of the model's nodes, sorted and joined by `+`, or `?` when unreadable.
    static func opLabel(of model: URL) -> String {
        guard let bytes = try? FileBytes.read(model, limit: FormatLimits.default.maxFileBytes),
            let proto = try? Onnx_ModelProto(serializedBytes: bytes)
        else { return "?" }
        let types = Set(proto.graph.node.map(\.opType)).sorted()
        return types.isEmpty ? "?" : types.joined(separator: "+")
    }
}
