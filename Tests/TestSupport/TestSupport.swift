import Foundation
import ModelFormat

/// Paths into the source tree (fixtures are read in place, so symbolic links stay links).
public enum SourceTree {
    /// The package root, found from this file's path.
    public static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `path` relative to the package root.
    public static func url(_ path: String) -> URL { root.appendingPathComponent(path) }
}

/// A fresh temporary directory, removed by the caller with `FileManager.removeItem`.
public func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("modelkit-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// A small valid model: x [N,4] -> Gemm(W [2,4], b [2], transB=1) -> y [N,2].
///
/// Tests break one thing at a time in a copy of it.
public func makeSmallModel() -> ProtoModel {
    var model = ProtoModel()
    model.irVersion = 1
    model.opsetVersion = 17
    model.graph.name = "small"
    model.graph.input = [valueInfo("x", ["N", 4])]
    model.graph.output = [valueInfo("y", ["N", 2])]
    var node = ProtoNode()
    node.name = "fc"
    node.opType = "Gemm"
    node.input = ["x", "W", "b"]
    node.output = ["y"]
    var transB = ProtoAttribute()
    transB.name = "transB"
    transB.i = 1
    node.attribute = [transB]
    model.graph.node = [node]
    model.graph.initializer = [
        ProtoTensor(name: "W", shape: [2, 4], floats: [0.5, -1.25, 3, 0, 1e-3, -7, 2.5, 8]),
        ProtoTensor(name: "b", shape: [2], floats: [0.25, -0.5]),
    ]
    return model
}

/// A value info with fixed (`Int`) and symbolic (`String`) dims.
public func valueInfo(_ name: String, _ dims: [any Sendable]) -> ProtoValueInfo {
    var info = ProtoValueInfo()
    info.name = name
    info.elemType = .float
    info.dim = dims.map { dim in
        var proto = ProtoDim()
        if let value = dim as? Int { proto.value = Int64(value) } else if let param = dim as? String { proto.param = param }
        return proto
    }
    return info
}
