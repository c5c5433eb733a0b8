import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

/// One broken model per case: each breaks one rule of `makeSmallModel()` and must produce
/// the named diagnostic code.
@Suite struct VerifierTests {
    typealias Breakage = @Sendable (inout ProtoModel) -> Void

    static let cases: [(code: String, message: String, breakage: Breakage)] = [
        ("graph.duplicate-value", "value 'W' is defined by initializer 'W' and already by", { model in
            model.graph.initializer.append(ProtoTensor(name: "W", shape: [1], floats: [0]))
        }),
        ("graph.undefined-value", "input 'bias' is not a graph input", { model in
            model.graph.node[0].input[2] = "bias"
        }),
        ("graph.undefined-output", "graph output 'z' is not produced", { model in
            model.graph.output.append(valueInfo("z", [1]))
        }),
        ("graph.cycle", "the graph has a cycle through 2 node(s)", { model in
            var first = ProtoNode()
            first.name = "a"
            first.opType = "Relu"
            first.input = ["q"]
            first.output = ["p"]
            var second = ProtoNode()
            second.name = "b"
            second.opType = "Relu"
            second.input = ["p"]
            second.output = ["q"]
            model.graph.node += [first, second]
        }),
        ("graph.unsupported-ops", "2 op type(s) are not supported: Frobnicate (2 nodes: f1, f2); com.x.Gemm", { model in
            for (name, domain) in [("f1", ""), ("f2", ""), ("g", "com.x")] {
                var node = ProtoNode()
                node.name = name
                node.opType = name == "g" ? "Gemm" : "Frobnicate"
                node.domain = domain
                node.input = ["x"]
                node.output = [name + "_out"]
                model.graph.node.append(node)
            }
        }),
        ("node.unknown-attribute", "Gemm has no attribute 'transpose_b'", { model in
            model.graph.node[0].attribute[0].name = "transpose_b"
        }),
        ("node.attribute-kind", "'transB' of Gemm is an int, but the attribute holds float", { model in
            model.graph.node[0].attribute[0].i = 0
            model.graph.node[0].attribute[0].f = 1
        }),
        ("node.duplicate-attribute", "attribute 'transB' is given twice", { model in
            model.graph.node[0].attribute.append(model.graph.node[0].attribute[0])
        }),
        ("node.missing-attribute", "Concat requires attribute 'axis'", { model in
            var node = ProtoNode()
            node.name = "join"
            node.opType = "Concat"
            node.input = ["x", "x"]
            node.output = ["joined"]
            model.graph.node.append(node)
        }),
        ("node.input-count", "Gemm takes 2 to 3 input(s), but the node lists 1", { model in
            model.graph.node[0].input = ["x"]
        }),
        ("node.output-count", "Gemm produces 1 output(s), but the node lists 2", { model in
            model.graph.node[0].output = ["y", "extra"]
        }),
        ("node.constant-value", "Constant needs exactly one value attribute, but has 0", { model in
            var node = ProtoNode()
            node.name = "c"
            node.opType = "Constant"
            node.output = ["c_out"]
            model.graph.node.append(node)
        }),
        ("tensor.invalid", "holds 3 values, but dims [2, 4] need 8", { model in
            model.graph.initializer[0].floatData = [1, 2, 3]
        }),
        ("tensor.no-values", "no values are stored for 2 element(s)", { model in
            model.graph.initializer[1].floatData = []
        }),
        ("filler.invalid", "UNIFORM needs low < high", { model in
            model.graph.initializer[1].floatData = []
            model.graph.initializer[1].init_p.kind = .uniform
            model.graph.initializer[1].init_p.low = 1
            model.graph.initializer[1].init_p.high = -1
        }),
        ("enum.out-of-range", "value 99 is not one of the enum's values", { model in
            var head = ProtoHead()
            head.name = "h"
            head.output = "y"
            head.loss.kind = .UNRECOGNIZED(99)
            model.head = [head]
        }),
        ("head.unknown-output", "output 'scores' is not a value of the graph", { model in
            var head = ProtoHead()
            head.name = "h"
            head.output = "scores"
            model.head = [head]
        }),
        ("head.class-labels", "3 class labels are given for 2 classes", { model in
            var head = ProtoHead()
            head.name = "h"
            head.output = "y"
            head.encoding.kind = .oneHot
            head.encoding.numClasses = 2
            head.classLabel = ["a", "b", "c"]
            model.head = [head]
        }),
        ("head.missing-target", "the head has a loss but names no target", { model in
            var head = ProtoHead()
            head.name = "h"
            head.output = "y"
            head.encoding.kind = .oneHot
            head.loss.kind = .softmaxCrossEntropy
            model.head = [head]
        }),
        ("model.unsupported-opset", "opset 26 is not supported", { model in
            model.opsetVersion = 26
        }),
        ("training.unknown-frozen", "frozen names 'trunk', which is not an initializer", { model in
            model.training.frozen = ["trunk"]
        }),
        ("value.negative-dim", "dimension -4 is negative", { model in
            model.graph.input[0].dim[1].value = -4
        }),
    ]

    @Test func theSmallModelIsValid() {
        #expect(Verifier().verify(makeSmallModel()).isEmpty)
    }

    @Test(arguments: cases.indices)
    func eachBreakageIsReported(index: Int) {
        let (code, message, breakage) = Self.cases[index]
        var model = makeSmallModel()
        breakage(&model)
        let diagnostics = Verifier(file: URL(fileURLWithPath: "/models/m.pbtxt")).verify(model)
        let match = diagnostics.first { $0.code == code }
        #expect(match != nil, "expected \(code), got \(diagnostics.map(\.rendered))")
        #expect(match?.severity == .error)
        #expect(match?.message.contains(message) == true, "message was: \(match?.message ?? "-")")
        #expect(match?.location.file == "/models/m.pbtxt")
    }

    @Test func outOfOrderNodesAreAWarningAndCompileSortsThem() throws {
        var model = makeSmallModel()
        var relu = ProtoNode()
        relu.name = "act"
        relu.opType = "Relu"
        relu.input = ["y"]
        relu.output = ["z"]
        model.graph.node.insert(relu, at: 0)
        let diagnostics = Verifier().verify(model)
        #expect(diagnostics.map(\.code) == ["graph.not-topological"])
        #expect(diagnostics.first?.severity == .warning)
        let compiled = try Compiler(options: .init(optimization: .O0)).compile(model)
        #expect(compiled.model.graph.node.map(\.name) == ["fc", "act"])
    }

    @Test func everyFindingIsCollected() {
        var model = makeSmallModel()
        model.graph.node[0].input[2] = "bias"
        model.graph.node[0].attribute[0].name = "transpose_b"
        model.opsetVersion = 9
        let codes = Set(Verifier().verify(model).map(\.code))
        #expect(codes == ["graph.undefined-value", "node.unknown-attribute", "model.unsupported-opset"])
    }

    @Test func renderedDiagnosticsNameFileNodeAndField() {
        var model = makeSmallModel()
        model.graph.node[0].input[2] = "bias"
        let rendered = Verifier(file: URL(fileURLWithPath: "/m.pbtxt")).verify(model).first?.rendered
        #expect(
            rendered == "/m.pbtxt: error[graph.undefined-value]: Gemm 'fc', field input[2]: input 'bias' is not a graph "
                + "input, an initializer or any node's output; fix: define 'bias' or correct the name")
    }
}
