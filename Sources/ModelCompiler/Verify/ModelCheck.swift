import Foundation
import ModelFormat

/// Everything `modelc check` reports: the structural checks, then (when those pass) shape
/// inference and the head lints, with shapes from inference. Every finding is collected.
public enum ModelCheck {
    /// All findings for `model`, read from `file`.
    public static func run(_ model: ProtoModel, file: URL? = nil, limits: FormatLimits = .default) -> [Diagnostic] {
        let diagnostics = Verifier(file: file, limits: limits).verify(model)
        guard !diagnostics.hasErrors, var graph = try? Graph(model.graph) else { return diagnostics }
        return diagnostics + inferShapesAndLintHeads(model, graph: &graph, file: file?.path, limits: limits)
    }

    /// Shape inference over `graph` (the IR of `model`'s graph), then the head lints with the
    /// inferred shapes. `compile` calls this on the materialised graph it goes on to optimise.
    static func inferShapesAndLintHeads(
        _ model: ProtoModel, graph: inout Graph, file: String?, limits: FormatLimits = .default
    ) -> [Diagnostic] {
        let shapeDiagnostics = ShapeInference.run(&graph, file: file, limits: limits)
        let dims: [String: [Int?]] = Dictionary(
            graph.values.compactMap { value in value.type.dims.map { (value.name, $0.map(\.fixedValue)) } },
            uniquingKeysWith: { first, _ in first })
        return shapeDiagnostics + HeadLints.check(model, file: file, shapes: { dims[$0] })
    }
}
