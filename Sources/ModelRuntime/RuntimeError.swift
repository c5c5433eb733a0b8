import ModelCompiler

/// An error executing a model. The runtime (kernels, plans, sessions) builds on this type.
public enum RuntimeError: Error, Sendable {
    /// The model failed to compile for execution.
    case compile(CompileError)
}
