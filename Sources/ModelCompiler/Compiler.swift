import Foundation
import ModelFormat

/// Optimisation level, as `-O0`/`-O1`/`-O2`.
public enum OptimizationLevel: String, Sendable, CaseIterable {
    case O0, O1, O2
}

/// What a compiled model is for.
public enum CompileTarget: String, Sendable, CaseIterable {
    case inference, training
}

/// The result of compiling: the model and the warnings found on the way.
public struct CompiledModel: Sendable {
    public var model: ProtoModel
    public var diagnostics: [Diagnostic]
    /// What each optimisation pass did, in order (`--print-passes`).
    public var passReport: [PassReportEntry] = []
}

/// Checks a model and turns it into its compiled form.
///
/// Compilation is: verify (all structural checks; errors stop here), materialise fillers,
/// build the IR (nodes in dependency order), infer shapes (written back as value infos) and
/// lint the heads, run the optimisation passes of the level, and optionally compress float
/// payloads. Head lowering joins later.
public struct Compiler: Sendable {
    /// Compilation settings.
    public struct Options: Sendable {
        public var optimization: OptimizationLevel
        public var target: CompileTarget
        /// Store float tensors as SHUFFLE_DEFLATE `raw_data`.
        public var compress: Bool
        public var limits: FormatLimits
        /// Re-verify the graph after every pass that changed it (tests turn this on).
        public var verifyEachPass: Bool = false

        public init(
            optimization: OptimizationLevel = .O2, target: CompileTarget = .inference, compress: Bool = false,
            limits: FormatLimits = .default
        ) {
            self.optimization = optimization
            self.target = target
            self.compress = compress
            self.limits = limits
        }
    }

    public var options: Options

    public init(options: Options = Options()) { self.options = options }

    /// Compiles `model`, read from `file` (for messages and external data).
    public func compile(_ model: ProtoModel, file: URL? = nil) throws(CompileError) -> CompiledModel {
        // Structural checks first (fillers may only be materialised on a sound model), then
        // shapes and head lints once, on the materialised graph that the passes optimise.
        let prepared = try Self.prepare(model, file: file, limits: options.limits)
        var compiled = prepared.model
        var graph = prepared.graph
        let (diagnostics, declaredOutputs) = (prepared.diagnostics, prepared.declaredOutputs)
        let passContext = PassContext(target: options.target, protectedValues: Set(model.training.frozen))
        let passes = PassPipeline.passes(for: options.optimization, target: options.target)
        let check: ((Graph, String) throws(CompileError) -> Void)? =
            options.verifyEachPass
            ? { (graph: Graph, pass: String) throws(CompileError) in try Compiler.verify(graph, after: pass) } : nil
        let report = try PassPipeline.run(passes, on: &graph, context: passContext, verify: check)
        graph.outputs = graph.outputs.filter { declaredOutputs.contains(graph[$0].name) }
        graph.compact()
        compiled.graph = graph.proto
        compiled.irVersion = 1
        if compiled.opsetVersion == 0 { compiled.opsetVersion = OpDomain.onnxOpset }
        compiled.producerName = "modelc"
        compiled.producerVersion = ToolVersion.current
        let context = PayloadContext(modelFile: file, limits: options.limits)
        do {
            // External payloads are read in so the compiled file stands alone.
            for index in compiled.graph.initializer.indices {
                let tensor = compiled.graph.initializer[index]
                let float = tensor.dataType.resolved == .float
                if options.compress && float {
                    compiled.graph.initializer[index] = try tensor.storing(
                        compression: .shuffleDeflate, context: context)
                } else if tensor.hasExternal {
                    compiled.graph.initializer[index] = try tensor.storing(compression: .none, context: context)
                }
            }
        } catch {
            throw .format(error)
        }
        return CompiledModel(
            model: compiled, diagnostics: diagnostics + passContext.diagnostics, passReport: report)
    }
}

extension Compiler {
    /// The start every compilation shares (inference and training): the structural checks
    /// (errors stop here, before fillers are materialised on an unsound model), fillers
    /// materialised, the IR, shapes inferred and heads linted once (errors stop), and head
    /// outputs kept alive as graph outputs so they keep their names through the passes.
    /// Returns the materialised model, its graph, the findings so far and the declared output
    /// names.
    static func prepare(
        _ model: ProtoModel, file: URL?, limits: FormatLimits
    ) throws(CompileError) -> (model: ProtoModel, graph: Graph, diagnostics: [Diagnostic], declaredOutputs: Set<String>)
    {
        let structural = Verifier(file: file, limits: limits).verify(model)
        if structural.hasErrors { throw .invalidModel(structural) }
        let materialized = try FillerMaterializer.materialize(model)
        var graph = try Graph(materialized.graph)
        let diagnostics =
            structural + ModelCheck.inferShapesAndLintHeads(model, graph: &graph, file: file?.path, limits: limits)
        if diagnostics.hasErrors { throw .invalidModel(diagnostics) }
        let declaredOutputs = Set(graph.outputs.map { graph[$0].name })
        for head in model.head {
            if let id = graph.value(named: head.output), !graph.outputs.contains(id) { graph.outputs.append(id) }
        }
        return (materialized, graph, diagnostics, declaredOutputs)
    }

    /// The structural and shape checks, run on a graph between passes.
    static func verify(_ graph: Graph, after pass: String) throws(CompileError) {
        var model = ProtoModel()
        model.graph = graph.proto
        var reinferred = graph
        let findings = Verifier().verify(model) + ShapeInference.run(&reinferred)
        let errors = findings.filter { $0.severity == .error }
        if !errors.isEmpty {
            throw .invalidModel(
                errors.map { error in
                    var error = error
                    error.message = "after pass \(pass): " + error.message
                    return error
                })
        }
    }
}

/// The tool version written into `producer_version`.
public enum ToolVersion {
    public static let current = "0.1.0"
}

/// Nodes in dependency order, stable with respect to the given order.
enum TopologicalOrder {
    static func sorted(_ graph: ProtoGraph) -> [ProtoNode] {
        var producer: [String: Int] = [:]
        for (index, node) in graph.node.enumerated() {
            for output in node.output where !output.isEmpty { producer[output] = index }
        }
        var state = [UInt8](repeating: 0, count: graph.node.count)  // 0 new, 1 visiting, 2 done
        var order: [Int] = []
        for start in graph.node.indices where state[start] == 0 {
            // Iterative depth-first search; the verifier has ruled out cycles.
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            state[start] = 1
            while let top = stack.last {
                let inputs = graph.node[top.node].input
                if top.next < inputs.count {
                    stack[stack.count - 1].next += 1
                    if let dependency = producer[inputs[top.next]], state[dependency] == 0 {
                        state[dependency] = 1
                        stack.append((dependency, 0))
                    }
                } else {
                    state[top.node] = 2
                    order.append(top.node)
                    stack.removeLast()
                }
            }
        }
        return order.map { graph.node[$0] }
    }
}
