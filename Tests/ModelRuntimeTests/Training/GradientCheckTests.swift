import Foundation
import ModelCompiler
import ModelFormat
import Testing

@testable import ModelRuntime

/// Numeric gradient checks of autodiff: for small models through each differentiable op, the
/// gradient the training graph computes for every weight element equals the central finite
/// difference (L(p + h) − L(p − h)) / 2h of the evaluation graph's loss.
///
/// Tolerance |analytic − numeric| ≤ 2e-3 + 2e-2·|numeric| with h = 1e-3: the loss is a
/// float32 value of order 1, so rounding puts ≈ 6e-8/1e-3 ≈ 6e-5 of noise on the difference,
/// and truncation is h²/6·L‴ ≈ 2e-7·L‴. Data are chosen away from kinks (ReLU at 0, ties in
/// MaxPool) so the difference sees one branch. A wrong rule (missing transpose, sign, factor,
/// broadcast axis) is off by far more than that.
@Suite struct GradientCheckTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// Graph body: nodes and initializers in text format; input `x`, output `y`.
        let body: String
        let inputShape: [Int]
        let outputShape: [Int]
        /// Head settings (text format) for the output `y`; default REAL + MSE against `t`.
        var head: String = #"encoding { kind: REAL } loss { kind: MEAN_SQUARED_ERROR }"#
        var inputRange: ClosedRange<Float> = -1...1
        var target: Target = .real
        var frozen: [String] = []
        var testDescription: String { name }

        enum Target: Sendable { case real, classIndex(classes: Int), multiHot }
    }

    static func gemmLayer(_ input: String, _ output: String, _ name: String, inputs: Int, units: Int) -> String {
        """
        node { name: "\(name)" op_type: "Gemm" input: "\(input)" input: "\(name).w" input: "\(name).b" output: "\(output)" attribute { name: "transB" i: 1 } }
        initializer { name: "\(name).w" data_type: FLOAT dims: \(units) dims: \(inputs) init { kind: GLOROT_UNIFORM } }
        initializer { name: "\(name).b" data_type: FLOAT dims: \(units) init { kind: UNIFORM low: -0.5 high: 0.5 } }
        """
    }

    static func activation(_ op: String, attributes: String = "", range: ClosedRange<Float> = -1...1) -> Case {
        // Scale by a trainable vector first, so the activation's input depends on a weight.
        Case(
            name: op,
            body: """
                node { op_type: "Mul" input: "x" input: "scale" output: "h" }
                node { op_type: "\(op)" input: "h" output: "y" \(attributes) }
                initializer { name: "scale" data_type: FLOAT dims: 4 float_data: [0.8, 1.1, 0.6, 1.3] }
                """,
            inputShape: [3, 4], outputShape: [3, 4], inputRange: range)
    }

    /// Variadic Sum or Mean of the scaled input, a broadcast bias row and a weight matrix.
    static func variadic(_ op: String) -> Case {
        Case(
            name: op,
            body: """
                node { op_type: "Mul" input: "x" input: "scale" output: "h" }
                node { op_type: "\(op)" input: "h" input: "bias" input: "w" output: "y" }
                initializer { name: "scale" data_type: FLOAT dims: 4 float_data: [0.8, 1.1, 0.6, 1.3] }
                initializer { name: "bias" data_type: FLOAT dims: 4 float_data: [0.1, -0.2, 0.3, 0.05] }
                initializer { name: "w" data_type: FLOAT dims: 3 dims: 4 init { kind: UNIFORM low: -0.5 high: 0.5 } }
                """,
            inputShape: [3, 4], outputShape: [3, 4])
    }

    static let cases: [Case] = [
        variadic("Sum"), variadic("Mean"),
        Case(
            name: "Expand of a weight row, added to the input",
            body: """
                node { op_type: "Expand" input: "w" input: "s" output: "e" }
                node { op_type: "Mul" input: "x" input: "e" output: "y" }
                initializer { name: "w" data_type: FLOAT dims: 1 dims: 4 float_data: [0.8, -1.1, 0.6, 1.3] }
                initializer { name: "s" data_type: INT64 dims: 2 int64_data: [3, 1] }
                """,
            inputShape: [3, 4], outputShape: [3, 4]),
        Case(
            name: "Where with a broadcast condition and a broadcast Y",
            body: #"""
                node { op_type: "Mul" input: "x" input: "scale" output: "h" }
                node { op_type: "Where" input: "c" input: "h" input: "w" output: "y" }
                initializer { name: "scale" data_type: FLOAT dims: 4 float_data: [0.8, 1.1, 0.6, 1.3] }
                initializer { name: "c" data_type: BOOL dims: 4 raw_data: "\001\000\001\000" }
                initializer { name: "w" data_type: FLOAT dims: 3 dims: 1 float_data: [0.2, -0.4, 0.7] }
                """#,
            inputShape: [3, 4], outputShape: [3, 4]),
        Case(
            name: "Gemm+Relu+Gemm, softmax cross-entropy on class indices",
            body: gemmLayer("x", "h", "fc1", inputs: 5, units: 6)
                + #"node { op_type: "Relu" input: "h" output: "r" }"# + gemmLayer("r", "y", "fc2", inputs: 6, units: 4),
            inputShape: [5, 5], outputShape: [5, 4],
            head:
                #"encoding { kind: ONE_HOT num_classes: 4 label_smoothing: 0.1 } loss { kind: SOFTMAX_CROSS_ENTROPY from_logits: true class_weight: [1, 2, 0.5, 1] }"#,
            target: .classIndex(classes: 4)),
        Case(
            name: "Gemm with transA, alpha and beta; BCE with logits on multi-hot rows",
            body: """
                node { name: "g" op_type: "Gemm" input: "x" input: "w" input: "b" output: "y"
                  attribute { name: "transA" i: 1 } attribute { name: "alpha" f: 0.5 } attribute { name: "beta" f: 2 } }
                initializer { name: "w" data_type: FLOAT dims: 4 dims: 3 init { kind: GLOROT_UNIFORM } }
                initializer { name: "b" data_type: FLOAT dims: 3 init { kind: UNIFORM low: -0.5 high: 0.5 } }
                """,
            inputShape: [4, 2], outputShape: [2, 3],
            head:
                #"encoding { kind: MULTI_HOT num_classes: 3 } loss { kind: BINARY_CROSS_ENTROPY from_logits: true pos_weight: [2, 1, 0.5] }"#,
            target: .multiHot),
        Case(
            name: "MatMul + broadcast Add, Sub, Div",
            body: """
                node { op_type: "MatMul" input: "x" input: "w" output: "m" }
                node { op_type: "Add" input: "m" input: "b" output: "a" }
                node { op_type: "Sub" input: "a" input: "c" output: "s" }
                node { op_type: "Div" input: "s" input: "d" output: "y" }
                initializer { name: "w" data_type: FLOAT dims: 3 dims: 4 init { kind: GLOROT_UNIFORM } }
                initializer { name: "b" data_type: FLOAT dims: 4 init { kind: UNIFORM low: -0.5 high: 0.5 } }
                initializer { name: "c" data_type: FLOAT dims: 3 dims: 1 init { kind: UNIFORM low: -0.5 high: 0.5 } }
                initializer { name: "d" data_type: FLOAT dims: 1 dims: 4 init { kind: UNIFORM low: 1 high: 2 } }
                """,
            inputShape: [3, 3], outputShape: [3, 4]),
        Case(
            name: "Gemm + Relu over 60 elements (the 16-lane gradient loop and its tail)",
            body: gemmLayer("x", "h", "fc", inputs: 6, units: 20) + #"node { op_type: "Relu" input: "h" output: "y" }"#,
            inputShape: [3, 6], outputShape: [3, 20]),
        Case(
            name: "Gather (embedding rows, a repeated and a negative index)",
            body: """
                node { op_type: "Gather" input: "table" input: "idx" output: "e" attribute { name: "axis" i: 0 } }
                node { op_type: "Mul" input: "e" input: "x" output: "y" }
                initializer { name: "table" data_type: FLOAT dims: 6 dims: 4 init { kind: UNIFORM low: -1 high: 1 } }
                initializer { name: "idx" data_type: INT64 dims: 5 int64_data: [0, 3, 3, 5, -1] }
                """,
            inputShape: [5, 4], outputShape: [5, 4]),
        Case(
            name: "Clip with constant bounds",
            body: """
                node { op_type: "Mul" input: "x" input: "scale" output: "h" }
                node { op_type: "Clip" input: "h" input: "lo" input: "hi" output: "y" }
                initializer { name: "scale" data_type: FLOAT dims: 4 float_data: [0.8, 1.1, 0.6, 1.3] }
                initializer { name: "lo" data_type: FLOAT float_data: -0.45 }
                initializer { name: "hi" data_type: FLOAT float_data: 0.55 }
                """,
            inputShape: [3, 4], outputShape: [3, 4]),
        Case(
            name: "LayerNormalization over the last axis (Scale and B trained, input through a weight)",
            body: """
                node { op_type: "Mul" input: "x" input: "s" output: "h" }
                node { op_type: "LayerNormalization" input: "h" input: "gamma" input: "beta" output: "y"
                  attribute { name: "axis" i: -1 } attribute { name: "epsilon" f: 1e-3 } }
                initializer { name: "s" data_type: FLOAT dims: 5 float_data: [0.8, 1.1, 0.6, 1.3, 0.9] }
                initializer { name: "gamma" data_type: FLOAT dims: 5 init { kind: UNIFORM low: 0.5 high: 1.5 } }
                initializer { name: "beta" data_type: FLOAT dims: 5 init { kind: UNIFORM low: -0.5 high: 0.5 } }
                """,
            inputShape: [3, 5], outputShape: [3, 5]),
        Case(
            name: "BatchNormalization with frozen statistics (inference form)",
            body: """
                node { op_type: "Mul" input: "x" input: "s" output: "h" }
                node { op_type: "BatchNormalization" input: "h" input: "gamma" input: "beta" input: "mean" input: "var" output: "b" }
                node { op_type: "Flatten" input: "b" output: "y" }
                initializer { name: "s" data_type: FLOAT dims: 2 dims: 1 dims: 1 float_data: [0.7, 1.4] }
                initializer { name: "gamma" data_type: FLOAT dims: 2 float_data: [0.9, 1.2] }
                initializer { name: "beta" data_type: FLOAT dims: 2 float_data: [0.1, -0.2] }
                initializer { name: "mean" data_type: FLOAT dims: 2 float_data: [0.05, -0.1] }
                initializer { name: "var" data_type: FLOAT dims: 2 float_data: [0.8, 1.3] }
                """,
            inputShape: [2, 2, 2, 2], outputShape: [2, 8], frozen: ["mean", "var"]),
        activation("Relu"), activation("Sigmoid"), activation("Tanh"), activation("Softplus"),
        activation("LeakyRelu", attributes: #"attribute { name: "alpha" f: 0.2 }"#),
        activation("Elu", attributes: #"attribute { name: "alpha" f: 0.7 }"#), activation("Selu"),
        // Gelu is ONNX-domain only from opset 20; these models declare opset 17, so ours.
        activation("Gelu", attributes: #"domain: "ai.modelformat""#),
        activation("Gelu", attributes: #"domain: "ai.modelformat" attribute { name: "approximate" s: "tanh" }"#),
        activation("Exp"), activation("Erf"), activation("HardSigmoid"),
        activation("HardSigmoid", attributes: #"attribute { name: "alpha" f: 0.4 } attribute { name: "beta" f: 0.3 }"#),
        activation("HardSwish", range: -2...2), activation("Reciprocal", range: 0.5...2),
        activation("Log", range: 0.5...2), activation("Sqrt", range: 0.5...2), activation("Abs"), activation("Neg"),
        activation("Softmax", attributes: #"attribute { name: "axis" i: 1 }"#),
        activation("LogSoftmax", attributes: #"attribute { name: "axis" i: 0 }"#),
        Case(
            name: "Conv (pads, stride) + MaxPool + Flatten + Gemm, class indices",
            body: """
                node { op_type: "Conv" input: "x" input: "k" input: "kb" output: "c"
                  attribute { name: "pads" ints: [1, 1, 1, 1] } attribute { name: "strides" ints: [1, 1] } }
                node { op_type: "MaxPool" input: "c" output: "p" attribute { name: "kernel_shape" ints: [2, 2] } attribute { name: "strides" ints: [2, 2] } }
                node { op_type: "Flatten" input: "p" output: "f" }
                initializer { name: "k" data_type: FLOAT dims: 3 dims: 2 dims: 3 dims: 3 init { kind: HE_UNIFORM } }
                initializer { name: "kb" data_type: FLOAT dims: 3 init { kind: UNIFORM low: -0.2 high: 0.2 } }
                """ + gemmLayer("f", "y", "fc", inputs: 12, units: 3),
            inputShape: [2, 2, 4, 4], outputShape: [2, 3],
            head: #"encoding { kind: ONE_HOT num_classes: 3 } loss { kind: SOFTMAX_CROSS_ENTROPY from_logits: true }"#,
            target: .classIndex(classes: 3)),
        Case(
            name: "grouped strided Conv + AveragePool + GlobalAveragePool",
            body: """
                node { op_type: "Conv" input: "x" input: "k" output: "c"
                  attribute { name: "group" i: 2 } attribute { name: "strides" ints: [2, 1] } attribute { name: "pads" ints: [0, 1, 1, 0] } }
                node { op_type: "AveragePool" input: "c" output: "a" attribute { name: "kernel_shape" ints: [2, 2] } attribute { name: "pads" ints: [1, 0, 0, 1] } }
                node { op_type: "GlobalAveragePool" input: "a" output: "g" }
                node { op_type: "Flatten" input: "g" output: "y" }
                initializer { name: "k" data_type: FLOAT dims: 4 dims: 1 dims: 2 dims: 3 init { kind: HE_UNIFORM } }
                """,
            inputShape: [2, 2, 5, 5], outputShape: [2, 4]),
        Case(
            name: "1-D Conv (dilation, pads, bias) + Flatten",
            body: """
                node { op_type: "Conv" input: "x" input: "k" input: "kb" output: "c"
                  attribute { name: "dilations" ints: [2] } attribute { name: "pads" ints: [1, 2] } }
                node { op_type: "Flatten" input: "c" output: "y" }
                initializer { name: "k" data_type: FLOAT dims: 2 dims: 3 dims: 2 init { kind: HE_UNIFORM } }
                initializer { name: "kb" data_type: FLOAT dims: 2 init { kind: UNIFORM low: -0.2 high: 0.2 } }
                """,
            inputShape: [2, 3, 5], outputShape: [2, 12]),
        Case(
            name: "3-D grouped strided Conv + Flatten",
            body: """
                node { op_type: "Conv" input: "x" input: "k" output: "c"
                  attribute { name: "group" i: 2 } attribute { name: "strides" ints: [1, 2, 1] }
                  attribute { name: "pads" ints: [0, 1, 0, 1, 0, 1] } }
                node { op_type: "Flatten" input: "c" output: "y" }
                initializer { name: "k" data_type: FLOAT dims: 2 dims: 1 dims: 2 dims: 2 dims: 2 init { kind: HE_UNIFORM } }
                """,
            inputShape: [2, 2, 3, 3, 3], outputShape: [2, 36]),
        Case(
            name: "Transpose, Reshape, Concat, ReduceSum and ReduceMean",
            body: """
                node { op_type: "Mul" input: "x" input: "s" output: "m" }
                node { op_type: "Transpose" input: "m" output: "t1" attribute { name: "perm" ints: [1, 0] } }
                node { op_type: "Concat" input: "t1" input: "e" output: "cat" attribute { name: "axis" i: 1 } }
                node { op_type: "Reshape" input: "cat" input: "shape" output: "r" }
                node { op_type: "ReduceSum" input: "r" input: "axes" output: "rs" attribute { name: "keepdims" i: 1 } }
                node { op_type: "ReduceMean" input: "r" output: "rm" attribute { name: "axes" ints: [0] } attribute { name: "keepdims" i: 0 } }
                node { op_type: "Mul" input: "rs" input: "rm" output: "y0" }
                node { op_type: "Add" input: "r" input: "y0" output: "y" }
                initializer { name: "s" data_type: FLOAT dims: 4 float_data: [0.8, 1.1, 0.6, 1.3] }
                initializer { name: "e" data_type: FLOAT dims: 4 dims: 2 init { kind: UNIFORM low: -1 high: 1 } }
                initializer { name: "shape" data_type: INT64 dims: 2 int64_data: [2, 10] }
                initializer { name: "axes" data_type: INT64 dims: 1 int64_data: [0] }
                """,
            inputShape: [3, 4], outputShape: [2, 10]),
    ]

    /// Deterministic values in `range` (a fixed linear congruential stream).
    static func values(_ count: Int, _ range: ClosedRange<Float>, seed: UInt64) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Float(state >> 40) / Float(1 << 24)
            return range.lowerBound + (range.upperBound - range.lowerBound) * unit
        }
    }

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ check: Case) throws {
        let text = """
            opset_version: 17
            graph {
              name: "check"
              input { name: "x" elem_type: FLOAT \(check.inputShape.map { "dim { value: \($0) }" }.joined(separator: " ")) }
              output { name: "y" elem_type: FLOAT \(check.outputShape.map { "dim { value: \($0) }" }.joined(separator: " ")) }
              \(check.body)
            }
            head { name: "h" output: "y" target: "t" \(check.head) }
            training { seed: 7 \(check.frozen.map { "frozen: \"\($0)\"" }.joined(separator: " ")) }
            """
        let model = try ProtoModel(textFormatString: text)
        let session = try TrainingSession(model: model)
        // Every float weight of the model that is not frozen trains, except the running statistics
        // of a BatchNormalization (state, not parameters) and Clip's bounds (constants to its
        // gradient rule): a rule that dropped a weight's gradient would drop it from the list
        // the finite differences below walk.
        var untrained = Set<String>()
        for node in model.graph.node {
            if node.opType == "BatchNormalization" { untrained.formUnion(node.input.dropFirst(3)) }
            if node.opType == "Clip" { untrained.formUnion(node.input.dropFirst(1)) }
        }
        let expected = model.graph.initializer.filter { tensor in
            tensor.dataType == .float && !check.frozen.contains(tensor.name) && !untrained.contains(tensor.name)
        }
        #expect(Set(session.training.parameters.map(\.name)) == Set(expected.map(\.name)))
        let x = Tensor(
            shape: check.inputShape, scalars: Self.values(check.inputShape.reduce(1, *), check.inputRange, seed: 1))
        let rows = check.outputShape[0]
        let target: Tensor
        switch check.target {
        case .real:
            target = Tensor(
                shape: check.outputShape, scalars: Self.values(check.outputShape.reduce(1, *), -1...1, seed: 2))
        case .classIndex(let classes):
            target = Tensor(shape: [rows], int64s: (0..<rows).map { Int64(($0 * 7 + 1) % classes) })
        case .multiHot:
            target = Tensor(
                shape: check.outputShape,
                scalars: (0..<check.outputShape.reduce(1, *)).map { Float(($0 * 5 + 2) % 3 == 0 ? 1 : 0) })
        }
        let feeds = ["x": x, try #require(session.training.targets[0]): target]
        let loss = session.evaluation.loss
        func evaluate() throws -> Double {
            Double(try #require(session.evaluate(feeds, fetching: [loss])[loss]).scalars[0])
        }
        // Learning rate 0: the step computes gradients and leaves the weights as they are.
        let step = try session.step(feeds, learningRate: 0, fetching: session.training.parameters.map(\.gradient))
        try Self.expectGradientsMatchFiniteDifferences(session, gradients: step.values, loss: evaluate)
    }

    /// For every trained weight element, the gradient in `gradients` (by the weight's gradient
    /// name) equals the central difference (L(p + h) − L(p − h)) / 2h of `loss`, with h and the
    /// tolerance explained on the suite. Weights are restored afterwards.
    static func expectGradientsMatchFiniteDifferences(
        _ session: TrainingSession, gradients: [String: Tensor], loss: () throws -> Double
    ) throws {
        let h: Float = 1e-3
        #expect(!session.training.parameters.isEmpty)
        for parameter in session.training.parameters {
            let analytic = try #require(gradients[parameter.gradient]).scalars
            let original = try #require(session.store.tensor(parameter.name))
            var values = original.scalars
            #expect(analytic.count == values.count)
            for index in values.indices {
                let saved = values[index]
                values[index] = saved + h
                session.store.assign(parameter.name, Tensor(shape: original.shape, scalars: values))
                let plus = try loss()
                values[index] = saved - h
                session.store.assign(parameter.name, Tensor(shape: original.shape, scalars: values))
                let minus = try loss()
                values[index] = saved
                let numeric = (plus - minus) / Double(2 * h)
                let got = Double(analytic[index])
                #expect(
                    abs(got - numeric) <= 2e-3 + 2e-2 * abs(numeric),
                    "\(parameter.name)[\(index)]: autodiff \(got), finite difference \(numeric)")
            }
            session.store.assign(parameter.name, original)
        }
    }
}
