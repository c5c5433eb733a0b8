import Foundation
import ModelCompiler
import ModelFormat

/// Compiles a model read by `loadModel` for running; on failure prints the diagnostics and
/// throws `InvalidInput`.
public func compileForRunning(_ model: ProtoModel, file: URL, target: CompileTarget = .inference) throws -> CompiledModel {
    do {
        let compiled = try Compiler(options: .init(optimization: .O2, target: target)).compile(model, file: file)
        // Only what concerns inference: loss, metric and training-section findings are for `train`.
        Output.diagnostics(compiled.diagnostics.filter { $0.severity == .warning && $0.concernsInference })
        return compiled
    } catch {
        Output.diagnostics(error.diagnostics)
        throw InvalidInput()
    }
}
