import Foundation
import ModelFormat
import TestSupport
import Testing

@testable import ModelCompiler

/// Small models built on `makeSmallModel()` (x [N,4] -> Gemm 'fc' -> y [N,2]), each with one head.
///
/// `width` resizes the Gemm; `activation` appends one op after it, named after the op ('probs' for
/// Softmax, 'sig', 'logp', 'relu'), whose output `out` becomes the graph output the head reads.
private func lintModel(
    width: Int = 2, activation: String? = nil, axis: Int = 1, _ configure: (inout ProtoHead) -> Void
) -> ProtoModel {
    var model = makeSmallModel()
    model.graph.initializer = [
        ProtoTensor(name: "W", shape: [width, 4], floats: Array(repeating: 0.25, count: width * 4)),
        ProtoTensor(name: "b", shape: [width], floats: Array(repeating: 0, count: width)),
    ]
    model.graph.output = [valueInfo("y", ["N", width])]
    var head = ProtoHead()
    head.name = "h"
    head.output = "y"
    head.target = "label"
    head.metric = [.accuracy, .f1Macro]
    if let activation {
        let names = ["Softmax": "probs", "Sigmoid": "sig", "LogSoftmax": "logp", "Relu": "relu"]
        var node = ProtoNode()
        node.name = names[activation] ?? "act"
        node.opType = activation
        node.input = ["y"]
        node.output = ["out"]
        if activation == "Softmax" || activation == "LogSoftmax" {
            var attribute = ProtoAttribute()
            attribute.name = "axis"
            attribute.i = Int64(axis)
            node.attribute = [attribute]
        }
        model.graph.node.append(node)
        model.graph.valueInfo = [valueInfo("y", ["N", width])]
        model.graph.output = [valueInfo("out", ["N", width])]
        head.output = "out"
    }
    configure(&head)
    model.head = [head]
    return model
}

/// `lintModel(activation: "Softmax")` with a Mul by a constant between the Softmax and the
/// output: the softmax is on the path, though not the last op.
private func scaledSoftmaxModel(_ configure: (inout ProtoHead) -> Void) -> ProtoModel {
    var model = lintModel(activation: "Softmax", configure)
    var scale = ProtoNode()
    scale.name = "scale"
    scale.opType = "Mul"
    scale.input = ["out", "two"]
    scale.output = ["scaled"]
    model.graph.node.append(scale)
    model.graph.initializer.append(ProtoTensor(name: "two", shape: [], floats: [2]))
    model.graph.valueInfo.append(valueInfo("out", ["N", 2]))
    model.graph.output = [valueInfo("scaled", ["N", 2])]
    model.head[0].output = "scaled"
    return model
}

/// Sets the encoding, the loss and `from_logits` of a head in one line.
private func classify(
    _ head: inout ProtoHead, _ encoding: ProtoLabelEncoding.Kind, classes: Int64, _ loss: ProtoLoss.Kind,
    fromLogits: Bool = true
) {
    head.encoding.kind = encoding
    head.encoding.numClasses = classes
    head.loss.kind = loss
    head.loss.fromLogits = fromLogits
}

@Suite struct HeadLintTests {
    typealias Case = (codes: Set<String>, severity: Diagnostic.Severity, phrase: String, model: ProtoModel)

    /// One mistake per case: `codes` is every code the lints must report (usually one), `phrase`
    /// part of the first code's message.
    static let cases: [Case] = [
        (
            ["head.softmax-with-multi-hot"], .error, "compete for one unit of probability",
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .softmaxCrossEntropy)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.softmax-with-multi-hot"], .error, "NEGATIVE_LOG_LIKELIHOOD reads log-softmax outputs",
            lintModel(activation: "LogSoftmax") { head in
                classify(&head, .multiHot, classes: 2, .negativeLogLikelihood, fromLogits: false)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.double-softmax"], .error,
            "already goes through Softmax (node 'probs'), and SOFTMAX_CROSS_ENTROPY applies softmax again",
            lintModel(activation: "Softmax") { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
            }
        ),
        (
            ["head.bce-on-exclusive-classes", "head.double-softmax"], .warning,
            "ONE_HOT classes are mutually exclusive",
            lintModel(activation: "Softmax") { head in
                classify(&head, .oneHot, classes: 2, .binaryCrossEntropy)
            }
        ),
        // The textbook multi-label mistake, reported whatever from_logits says (one finding:
        // not also head.double-softmax).
        (
            ["head.softmax-with-independent-labels"], .error,
            "goes through Softmax (node 'probs'), which makes the outputs compete for one unit of probability, "
                + "but MULTI_HOT labels are independent",
            lintModel(activation: "Softmax") { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy, fromLogits: false)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.softmax-with-independent-labels"], .error, "the loss then applies a sigmoid on top",
            lintModel(activation: "Softmax") { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.softmax-with-independent-labels"], .error, "BINARY_CODE bits are independent",
            lintModel(activation: "LogSoftmax") { head in
                classify(&head, .binaryCode, classes: 4, .binaryCrossEntropy)
            }
        ),
        (
            ["head.softmax-with-independent-labels"], .error, "scores each SOFT_MULTI_LABEL output on its own",
            lintModel(activation: "Softmax") { head in
                classify(&head, .softMultiLabel, classes: 2, .binaryCrossEntropy)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.softmax-with-independent-labels"], .error, "ORDINAL thresholds are cumulative",
            scaledSoftmaxModel { head in
                classify(&head, .ordinal, classes: 3, .binaryCrossEntropy)
                head.metric = [.mae]
            }
        ),
        (
            ["head.argmax-on-independent-outputs"], .error, "the arg-max is the index of a code bit and never a class",
            lintModel { head in
                classify(&head, .binaryCode, classes: 4, .binaryCrossEntropy)
                head.decoder.kind = .argmax
            }
        ),
        (
            ["head.argmax-on-independent-outputs"], .error, "cumulative threshold and never a class",
            lintModel { head in
                classify(&head, .ordinal, classes: 3, .binaryCrossEntropy)
                head.decoder.kind = .argmax
                head.metric = [.mae]
            }
        ),
        (
            ["head.argmax-on-independent-outputs"], .warning, "returns exactly 1 label(s) per sample",
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.decoder.kind = .argmax
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.threshold-on-exclusive-classes"], .warning, "can decode to no class or to several",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.decoder.kind = .threshold
            }
        ),
        (
            ["head.threshold-out-of-range"], .warning,
            "decoder.threshold is 1.5, but the decoder compares it with the sigmoid of the output (from_logits: "
                + "true), which lies in [0, 1], so no sample ever reaches it",
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.decoder.threshold = 1.5
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.threshold-out-of-range"], .warning, "decoder.class_threshold[1] is -0.2",
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.decoder.classThreshold = [0.5, -0.2]
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.threshold-out-of-range"], .warning, "which lies in [-1, 1], so every sample passes it",
            lintModel(activation: "Tanh") { head in
                classify(&head, .ordinal, classes: 3, .meanSquaredError, fromLogits: false)
                head.decoder.threshold = -1
                head.metric = [.mae]
            }
        ),
        (
            ["head.double-sigmoid"], .error, "already goes through Sigmoid (node 'sig')",
            lintModel(activation: "Sigmoid") { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.double-sigmoid"], .error, "nearly uniform, so no class can get a high probability (at most 0.23",
            lintModel(width: 10, activation: "Sigmoid") { head in
                classify(&head, .oneHot, classes: 10, .softmaxCrossEntropy)
            }
        ),
        (
            ["head.softmax-axis-of-one"], .error, "which has size 1, so every output is exactly 1",
            lintModel(width: 1, activation: "Softmax") { head in
                classify(&head, .real, classes: 1, .meanSquaredError, fromLogits: false)
                head.metric = [.mse]
            }
        ),
        (
            ["head.argmax-single-unit"], .error, "has width 1, so every sample decodes to class 0",
            lintModel(width: 1) { head in
                classify(&head, .multiHot, classes: 1, .binaryCrossEntropy)
                head.decoder.kind = .argmax
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.code-length"], .error, "has 2 units, but the BINARY_CODE target has 4 bits",
            lintModel { head in
                classify(&head, .binaryCode, classes: 10, .binaryCrossEntropy)
            }
        ),
        (
            ["head.code-length"], .error, "Hadamard matrix of order 4",
            lintModel { head in
                classify(&head, .binaryCode, classes: 3, .binaryCrossEntropy)
                head.encoding.code = .hadamard
            }
        ),
        (
            ["head.code-length"], .error, "10 classes need at least 4 bits",
            lintModel(width: 3) { head in
                classify(&head, .binaryCode, classes: 10, .binaryCrossEntropy)
                head.encoding.bits = 3
            }
        ),
        (
            ["head.code-length"], .error, "no such code of 6 bits exists",
            lintModel(width: 6) { head in
                classify(&head, .binaryCode, classes: 3, .binaryCrossEntropy)
                head.encoding.code = .hadamard
                head.encoding.bits = 6
            }
        ),
        (
            ["head.weight-length"], .error, "class_weight has 3 entries for 2 classes",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.loss.classWeight = [1, 2, 3]
            }
        ),
        (
            ["head.weight-length"], .error, "pos_weight has 3 entries for 2 outputs",
            lintModel { head in
                classify(&head, .ordinal, classes: 3, .binaryCrossEntropy)
                head.loss.posWeight = [1, 1, 1]
                head.metric = [.mae]
            }
        ),
        (
            ["head.ignore-index-without-classes"], .error, "no sample would ever be ignored",
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.loss.ignoreIndex = 0
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.cumulative-mass-encoding"], .error, "but the encoding is ONE_HOT",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.decoder.kind = .cumulativeMass
            }
        ),
        (
            ["head.cumulative-mass-encoding"], .error, "CUMULATIVE_MASS (derived from SOFT_MULTI_LABEL)",
            lintModel { head in
                classify(&head, .softMultiLabel, classes: 2, .binaryCrossEntropy)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.output-width"], .error, "has 2 units, but ONE_HOT with 3 classes needs 3",
            lintModel { head in
                classify(&head, .oneHot, classes: 3, .softmaxCrossEntropy)
            }
        ),
        (
            ["head.output-width"], .error, "ORDINAL with 2 levels needs 1 (one per threshold",
            lintModel { head in
                classify(&head, .ordinal, classes: 2, .binaryCrossEntropy)
                head.metric = [.mae]
            }
        ),
        (
            ["head.loss-encoding"], .error, "SOFTMAX_CROSS_ENTROPY cannot train on REAL targets",
            lintModel { head in
                classify(&head, .real, classes: 2, .softmaxCrossEntropy)
                head.metric = [.mse]
            }
        ),
        (
            ["head.loss-encoding"], .error, "ORDINAL_DISTANCE_CROSS_ENTROPY cannot train on ORDINAL",
            lintModel { head in
                classify(&head, .ordinal, classes: 3, .ordinalDistanceCrossEntropy)
                head.metric = [.mae]
            }
        ),
        (
            ["head.loss-encoding"], .error, "BINARY_CROSS_ENTROPY cannot train on REAL targets",
            lintModel { head in
                classify(&head, .real, classes: 2, .binaryCrossEntropy)
                head.metric = [.mse]
            }
        ),
        (
            ["head.bce-on-exclusive-classes"], .warning, "ONE_HOT classes are mutually exclusive",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .binaryCrossEntropy)
            }
        ),
        (
            ["head.mse-on-probabilities"], .warning, "the loss is non-convex",
            lintModel(activation: "Sigmoid") { head in
                classify(&head, .multiHot, classes: 2, .meanSquaredError, fromLogits: false)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.accuracy-only-multi-label"], .warning, "ACCURACY is the only metric of this MULTI_HOT head",
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.metric = [.accuracy]
            }
        ),
        (
            ["head.probability-loss-without-epsilon"], .warning, "the default 1e-7",
            lintModel(activation: "Softmax") { head in
                classify(&head, .oneHot, classes: 2, .categoricalCrossEntropy, fromLogits: false)
            }
        ),
        (
            ["head.probability-loss-without-epsilon"], .warning, "BINARY_CROSS_ENTROPY takes the log",
            lintModel(activation: "Sigmoid") { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy, fromLogits: false)
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.out-of-range"], .error, "encoding.label_smoothing is 1.0; it must lie in [0, 1)",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.encoding.labelSmoothing = 1
            }
        ),
        (
            ["head.out-of-range"], .error, "loss.epsilon is 0.6; it must lie in [0, 0.5)",
            lintModel(activation: "Softmax") { head in
                classify(&head, .oneHot, classes: 2, .categoricalCrossEntropy, fromLogits: false)
                head.loss.epsilon = 0.6
            }
        ),
        (
            ["head.out-of-range"], .error, "loss.class_weight[1] is -1.0; it must be a finite number >= 0",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.loss.classWeight = [1, -1]
            }
        ),
        (
            ["head.out-of-range"], .error, "decoder.mass is 1.5; it must lie in [0, 1]",
            lintModel { head in
                classify(&head, .softMultiLabel, classes: 2, .softmaxCrossEntropy)
                head.decoder.mass = 1.5
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.out-of-range"], .error, "decoder.threshold is nan; it must be a finite number",
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.decoder.threshold = .nan
                head.metric = [.f1Samples]
            }
        ),
        (
            ["head.relu-output-bounded-targets"], .warning, "goes through Relu (node 'relu')",
            lintModel(activation: "Relu") { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
            }
        ),
    ]

    /// Heads that are right and must yield nothing, the first the canonical classifier.
    static let cleanModels: [(name: String, model: ProtoModel)] = [
        (
            "ONE_HOT + SOFTMAX_CROSS_ENTROPY from logits on Gemm",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.decoder.kind = .argmax
            }
        ),
        (
            "LogSoftmax + NEGATIVE_LOG_LIKELIHOOD",
            lintModel(activation: "LogSoftmax") { head in
                classify(&head, .oneHot, classes: 2, .negativeLogLikelihood, fromLogits: false)
            }
        ),
        (
            "Softmax + CATEGORICAL_CROSS_ENTROPY with epsilon",
            lintModel(activation: "Softmax") { head in
                classify(&head, .oneHot, classes: 2, .categoricalCrossEntropy, fromLogits: false)
                head.loss.epsilon = 1e-7
            }
        ),
        (
            "MULTI_HOT + BCE from logits, F1_SAMPLES",
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.loss.posWeight = [1, 3]
                head.metric = [.accuracy, .f1Samples]
            }
        ),
        (
            "SOFT_MULTI_LABEL + SOFTMAX_CROSS_ENTROPY, derived CUMULATIVE_MASS",
            lintModel { head in
                classify(&head, .softMultiLabel, classes: 2, .softmaxCrossEntropy)
                head.metric = [.f1Samples, .exactMatch]
            }
        ),
        (
            "GRAY code of 4 classes in 2 bits",
            lintModel { head in
                classify(&head, .binaryCode, classes: 4, .binaryCrossEntropy)
                head.encoding.code = .gray
            }
        ),
        (
            "HADAMARD code of 3 classes in 4 bits",
            lintModel(width: 4) { head in
                classify(&head, .binaryCode, classes: 3, .binaryCrossEntropy)
                head.encoding.code = .hadamard
            }
        ),
        (
            "ORDINAL of 3 levels, pos_weight per threshold",
            lintModel { head in
                classify(&head, .ordinal, classes: 3, .binaryCrossEntropy)
                head.loss.posWeight = [1, 2]
                head.metric = [.mae]
            }
        ),
        (
            "ONE_HOT with ignore_index",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.loss.ignoreIndex = -100
            }
        ),
        (
            "REAL + MEAN_SQUARED_ERROR",
            lintModel { head in
                classify(&head, .real, classes: 2, .meanSquaredError, fromLogits: false)
                head.metric = [.mse, .mae]
            }
        ),
        (
            "MULTI_HOT + Sigmoid + BCE on probabilities, THRESHOLD 0.3",
            lintModel(activation: "Sigmoid") { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy, fromLogits: false)
                head.loss.epsilon = 1e-6
                head.decoder.threshold = 0.3
                head.metric = [.f1Samples]
            }
        ),
        (
            "ONE_HOT + ARGMAX top 2",
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.decoder.kind = .argmax
                head.decoder.topK = 2
            }
        ),
        (
            "BINARY_CODE with a threshold of 0.6 on its NEAREST_CODE decoder",
            lintModel { head in
                classify(&head, .binaryCode, classes: 4, .binaryCrossEntropy)
                head.decoder.threshold = 0.6
            }
        ),
        (
            "inference-only head",
            lintModel { head in
                head.encoding.kind = .oneHot
                head.encoding.numClasses = 2
            }
        ),
    ]

    @Test(arguments: cases.indices)
    func eachMistakeIsReported(index: Int) throws {
        let (codes, severity, phrase, model) = Self.cases[index]
        let diagnostics = HeadLints.check(model, file: "/models/m.pbtxt")
        #expect(Set(diagnostics.map(\.code)) == codes, "got \(diagnostics.map(\.rendered))")
        let first = try #require(diagnostics.first)
        #expect(first.severity == severity)
        #expect(first.message.contains(phrase), "message was: \(first.message)")
        #expect(first.fix?.isEmpty == false)
        #expect(first.location.file == "/models/m.pbtxt")
        #expect(first.location.head == "h")
    }

    @Test(arguments: cleanModels.indices)
    func correctHeadsHaveNoFindings(index: Int) {
        let diagnostics = HeadLints.check(Self.cleanModels[index].model, file: nil)
        #expect(diagnostics.isEmpty, "\(Self.cleanModels[index].name): \(diagnostics.map(\.rendered))")
    }

    /// The lints judge heads of otherwise valid models: the verifier finds nothing else wrong.
    @Test func caseModelsAreStructurallyValid() {
        let lintCodes = Set(Self.cases.flatMap(\.codes))
        for model in Self.cases.map(\.model) + Self.cleanModels.map(\.model) {
            let others = Verifier().verify(model).filter { !lintCodes.contains($0.code) }
            #expect(!others.hasErrors, "\(others.map(\.rendered))")
        }
    }

    @Test func everyCheckIsExercisedAndCodesAreStable() {
        let codes = Set(Self.cases.flatMap(\.codes))
        #expect(codes.count == 21)
        #expect(HeadLints.all.count == 21)
        for code in codes {
            #expect(code.wholeMatch(of: /head\.[a-z0-9]+(-[a-z0-9]+)*/) != nil, "\(code)")
        }
    }

    @Test func severalProblemsAreAllCollected() {
        var model = lintModel(activation: "Softmax") { head in
            classify(&head, .multiHot, classes: 3, .softmaxCrossEntropy)
            head.metric = [.accuracy]
            head.loss.classWeight = [1]
            head.loss.ignoreIndex = 0
        }
        var second = ProtoHead()
        second.name = "aux"
        second.output = "y"
        second.target = "label"
        classify(&second, .oneHot, classes: 2, .binaryCrossEntropy)
        second.metric = [.accuracy]
        model.head.append(second)

        let diagnostics = HeadLints.check(model, file: "m.pbtxt")
        let found = Set(diagnostics.map { "\($0.location.head ?? "-") \($0.code)" })
        #expect(
            found == [
                "h head.softmax-with-multi-hot", "h head.double-softmax", "h head.output-width",
                "h head.weight-length", "h head.ignore-index-without-classes", "h head.accuracy-only-multi-label",
                "aux head.bce-on-exclusive-classes",
            ], "\(diagnostics.map(\.rendered))")
        #expect(diagnostics.allSatisfy { $0.location.file == "m.pbtxt" })
        #expect(diagnostics.hasErrors)
    }

    @Test func shapesFromInferenceOverrideDeclaredOnes() {
        let model = lintModel { head in classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy) }
        let diagnostics = HeadLints.check(model, file: nil) { name in name == "y" ? [nil, 5] : nil }
        #expect(diagnostics.map(\.code) == ["head.output-width"])
    }

    @Test func theDigitsExampleHasNoFindings() throws {
        let url = SourceTree.url("examples/digits/mlp.pbtxt")
        let model = try ProtoModel(contentsOf: url)
        let diagnostics = HeadLints.check(model, file: url.path)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.rendered))")
    }
}

/// The practitioners' mistakes of the seed Q&A themes, each caught at the severity chosen for it:
/// an error when training cannot reach a sound model, a warning when it trains but worse or its
/// numbers mislead.
@Suite struct PractitionerMistakeTests {
    typealias Mistake = (theme: String, code: String, severity: Diagnostic.Severity, model: ProtoModel)

    static let mistakes: [Mistake] = [
        (
            "softmax instead of sigmoid for multi-label (BCE on probabilities)", "head.softmax-with-independent-labels",
            .error,
            lintModel(activation: "Softmax") { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy, fromLogits: false)
                head.metric = [.f1Samples]
            }
        ),
        (
            "softmax cross-entropy on multi-hot targets", "head.softmax-with-multi-hot", .error,
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .softmaxCrossEntropy)
                head.metric = [.f1Samples]
            }
        ),
        (
            "BCE on exclusive classes", "head.bce-on-exclusive-classes", .warning,
            lintModel { head in classify(&head, .oneHot, classes: 2, .binaryCrossEntropy) }
        ),
        (
            "categorical CE on multi-hot targets", "head.loss-encoding", .error,
            lintModel(activation: "Softmax") { head in
                classify(&head, .multiHot, classes: 2, .categoricalCrossEntropy, fromLogits: false)
                head.loss.epsilon = 1e-7
                head.metric = [.f1Samples]
            }
        ),
        (
            "sigmoid applied twice", "head.double-sigmoid", .error,
            lintModel(activation: "Sigmoid") { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.metric = [.f1Samples]
            }
        ),
        (
            "MSE on class probabilities", "head.mse-on-probabilities", .warning,
            lintModel(activation: "Sigmoid") { head in
                classify(&head, .multiHot, classes: 2, .meanSquaredError, fromLogits: false)
                head.metric = [.f1Samples]
            }
        ),
        (
            "accuracy on sparse multi-hot targets", "head.accuracy-only-multi-label", .warning,
            lintModel { head in
                classify(&head, .multiHot, classes: 2, .binaryCrossEntropy)
                head.metric = [.accuracy]
            }
        ),
        (
            "wrong code length for binary codes", "head.code-length", .error,
            lintModel(width: 3) { head in classify(&head, .binaryCode, classes: 10, .binaryCrossEntropy) }
        ),
        (
            "class weights of the wrong length", "head.weight-length", .error,
            lintModel { head in
                classify(&head, .oneHot, classes: 2, .softmaxCrossEntropy)
                head.loss.classWeight = [1, 1, 1]
            }
        ),
    ]

    @Test(arguments: mistakes.indices)
    func eachMistakeIsCaught(index: Int) {
        let mistake = Self.mistakes[index]
        let findings = HeadLints.check(mistake.model, file: nil)
        #expect(
            findings.map { "\($0.code) \($0.severity)" } == ["\(mistake.code) \(mistake.severity)"],
            "\(mistake.theme): \(findings.map(\.rendered))")
    }
}
