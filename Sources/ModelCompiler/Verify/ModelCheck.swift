import Foundation
import ModelFormat

/// Everything `modelc check` reports: the structural checks, then (when those pass) shape
/// inference and the head lints, with shapes from inference. Every finding is collected.
public enum ModelCheck {
    /// All findings for `model`, read from `file`.
    public static func run(_ model: ProtoModel, file: URL? = nil, limits: FormatLimits = .default) -> [Diagnostic] {
        var diagnostics = Verifier(file: file, limits: limits).verify(model)
        guard !diagnostics.hasErrors, var graph = try? Graph(model.graph) else { return diagnostics }
        diagnostics += ShapeInference.run(&graph, file: file?.path)
        let dims: [String: [Int?]] = Dictionary(
            graph.values.compactMap { value in value.type.dims.map { (value.name, $0.map(\.fixedValue)) } },
            uniquingKeysWith: { first, _ in first })
        diagnostics += HeadLints.check(model, file: file?.path, shapes: { dims[$0] })
        return diagnostics
    }
}
