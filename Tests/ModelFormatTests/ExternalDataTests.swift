import Foundation
import Testing
import TestSupport

@testable import ModelFormat

@Suite struct ExternalDataTests {
    /// A folder `model/` holding `weights.bin` (8 floats 0..7) and a sibling `outside.bin`.
    private func makeLayout() throws -> (root: URL, modelFile: URL) {
        let root = try makeTemporaryDirectory()
        let folder = root.appendingPathComponent("model")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var bytes = Data()
        for value in 0..<8 { withUnsafeBytes(of: Float(value).bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        try bytes.write(to: folder.appendingPathComponent("weights.bin"))
        try bytes.write(to: root.appendingPathComponent("outside.bin"))
        return (root, folder.appendingPathComponent("m.model"))
    }

    private func tensor(location: String, offset: Int64 = 0, length: Int64 = 0, count: Int64 = 8) -> ProtoTensor {
        var tensor = ProtoTensor()
        tensor.name = "W"
        tensor.dataType = .float
        tensor.dims = [count]
        tensor.external.location = location
        tensor.external.offset = offset
        tensor.external.length = length
        return tensor
    }

    private func expectRefused(_ tensor: ProtoTensor, _ modelFile: URL?, reasonContains text: String) {
        #expect {
            _ = try tensor.elementBytes(context: PayloadContext(modelFile: modelFile))
        } throws: { error in
            guard case .externalData(_, "W", _, let reason) = error as? FormatError else { return false }
            return reason.contains(text)
        }
    }

    @Test func readsARangeBesideTheModel() throws {
        let (root, modelFile) = try makeLayout()
        defer { try? FileManager.default.removeItem(at: root) }
        let values = try tensor(location: "weights.bin", offset: 8, length: 16, count: 4)
            .floatValues(context: PayloadContext(modelFile: modelFile))
        #expect(values == [2, 3, 4, 5])
    }

    @Test func memoryMapsLargeRanges() throws {
        let (root, modelFile) = try makeLayout()
        defer { try? FileManager.default.removeItem(at: root) }
        var context = PayloadContext(modelFile: modelFile)
        context.limits.mapExternalDataFromBytes = 0  // map everything
        #expect(try tensor(location: "weights.bin", offset: 4, length: 28, count: 7).floatValues(context: context) == [1, 2, 3, 4, 5, 6, 7])
    }

    @Test func refusesAbsolutePaths() throws {
        let (root, modelFile) = try makeLayout()
        defer { try? FileManager.default.removeItem(at: root) }
        expectRefused(tensor(location: root.appendingPathComponent("outside.bin").path), modelFile, reasonContains: "absolute")
    }

    @Test func refusesParentDirectoryComponents() throws {
        let (root, modelFile) = try makeLayout()
        defer { try? FileManager.default.removeItem(at: root) }
        expectRefused(tensor(location: "../outside.bin"), modelFile, reasonContains: "'..'")
        expectRefused(tensor(location: "sub/../../outside.bin"), modelFile, reasonContains: "'..'")
    }

    @Test func refusesSymbolicLinksThatLeaveTheFolder() throws {
        let (root, modelFile) = try makeLayout()
        defer { try? FileManager.default.removeItem(at: root) }
        let link = modelFile.deletingLastPathComponent().appendingPathComponent("link.bin")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "../outside.bin")
        expectRefused(tensor(location: "link.bin"), modelFile, reasonContains: "outside the model's folder")
    }

    @Test func refusesRangesPastTheEnd() throws {
        let (root, modelFile) = try makeLayout()
        defer { try? FileManager.default.removeItem(at: root) }
        expectRefused(tensor(location: "weights.bin", offset: 24, length: 16, count: 4), modelFile, reasonContains: "past the end")
        expectRefused(tensor(location: "weights.bin", offset: Int64.max - 2, length: 16, count: 4), modelFile, reasonContains: "past the end")
        expectRefused(tensor(location: "weights.bin", offset: -4, length: 16, count: 4), modelFile, reasonContains: "negative")
    }

    @Test func refusesMissingFilesAndModelsWithoutAFolder() throws {
        let (root, modelFile) = try makeLayout()
        defer { try? FileManager.default.removeItem(at: root) }
        expectRefused(tensor(location: "missing.bin"), modelFile, reasonContains: "no such file")
        expectRefused(tensor(location: "weights.bin"), nil, reasonContains: "model's folder")
    }
}
