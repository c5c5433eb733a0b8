import Foundation
import Testing
import TestSupport

@testable import ModelCompiler

/// `OpVersions` against the onnx package's facts: for every op, the since_version in effect at
/// each opset 13...25 (`since_versions.json`, written by scripts/fixtures/make_opset_fixtures.py
/// from onnx.defs.get_schema).
@Suite struct OpVersionsTests {
    static func onnxFacts() throws -> [String: [String: Int]] {
        let url = SourceTree.url("Tests/ModelFormatTests/Fixtures/onnx/opsets/since_versions.json")
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return try #require(root?["ops"] as? [String: [String: Int]])
    }

    @Test func everyOpHasTheVersionsONNXDefines() throws {
        let facts = try Self.onnxFacts()
        for op in OpType.allCases where op.domain.isEmpty || op == .gelu {
            let versions = try #require(facts[op.rawValue], "onnx defines no \(op.rawValue) in the default domain")
            for opset in OpDomain.acceptedOnnxOpsets {
                let ours = OpVersions.version(of: op, atOpset: opset)?.since
                #expect(ours.map(Int.init) == versions[String(opset)], "\(op.rawValue) at opset \(opset)")
            }
        }
        // Ops of our domain (fused and training ops) are not versioned by the ONNX opset.
        for op in OpType.allCases where !op.domain.isEmpty && op != .gelu {
            #expect(OpVersions.table[op] == nil, "\(op.rawValue) is ours")
        }
    }

    @Test func everyListedVersionIsOneONNXDefines() throws {
        let facts = try Self.onnxFacts()
        for (op, versions) in OpVersions.table {
            let defined = Set(facts[op.rawValue]?.values.map { Int64($0) } ?? [])
            #expect(Set(versions.map(\.since)) == defined, "\(op.rawValue)")
            #expect(versions.map(\.since) == versions.map(\.since).sorted(), "\(op.rawValue) is listed oldest first")
        }
    }

    @Test func formsFollowTheVersion() {
        #expect(OpVersions.forbiddenForms(of: .reduceMean, atOpset: 17).keys.sorted { "\($0)" < "\($1)" }
            == [.attribute("noop_with_empty_axes"), .input(1, "axes")])
        #expect(Set(OpVersions.forbiddenForms(of: .reduceMean, atOpset: 18).keys) == [.attribute("axes")])
        #expect(Set(OpVersions.forbiddenForms(of: .split, atOpset: 17).keys) == [.attribute("num_outputs")])
        #expect(OpVersions.forbiddenForms(of: .split, atOpset: 18).isEmpty)
        #expect(Set(OpVersions.forbiddenForms(of: .reshape, atOpset: 13).keys) == [.attribute("allowzero")])
    }
}
