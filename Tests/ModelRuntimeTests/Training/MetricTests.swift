import Foundation
import ModelFormat
import Testing

@testable import ModelRuntime

/// Metrics on natural labels and their trivial baselines.
///
/// Every expected value is worked out by hand in the comments (scikit-learn's definitions,
/// zero_division = 0).
@Suite struct MetricTests {
    // MARK: - Helpers

    /// A head named "h" of `kind` reporting `metrics`.
    static func head(
        _ kind: ProtoLabelEncoding.Kind, _ metrics: [ProtoMetric], _ configure: (inout ProtoHead) -> Void = { _ in }
    ) -> ProtoHead {
        decoderTestHead(kind) {
            $0.metric = metrics
            configure(&$0)
        }
    }

    /// Predictions whose labels are `labels` (best first).
    static func predictions(_ labels: [[Int]]) -> [Prediction] {
        labels.map { Prediction(labels: $0) }
    }

    /// Evaluates and returns the results keyed by metric name.
    static func evaluate(
        _ head: ProtoHead, _ predictions: [Prediction], _ labels: Tensor, classes: Int
    ) throws -> [String: MetricResult] {
        let results = try MetricEvaluator.evaluate(
            head: head, predictions: predictions, labels: labels, classCount: classes)
        #expect(results.map(\.metric) == head.metric.compactMap(\.reportName))
        return Dictionary(results.map { ($0.metric, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Expects `result` to have `value` and `baseline` within 1e-9.
    static func expect(
        _ result: MetricResult?, _ value: Double, baseline: Double, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        guard let result else {
            Issue.record("missing result", sourceLocation: sourceLocation)
            return
        }
        #expect(abs(result.value - value) < 1e-9, "\(result.metric) value", sourceLocation: sourceLocation)
        #expect(abs(result.baseline - baseline) < 1e-9, "\(result.metric) baseline", sourceLocation: sourceLocation)
    }

    /// The `MetricError` thrown by evaluating, or nil (recorded as an issue) when none is thrown.
    static func failure(
        _ head: ProtoHead, _ predictions: [Prediction], _ labels: Tensor, classes: Int,
        sourceLocation: SourceLocation = #_sourceLocation
    ) -> MetricError? {
        do {
            _ = try MetricEvaluator.evaluate(head: head, predictions: predictions, labels: labels, classCount: classes)
        } catch {
            return error
        }
        Issue.record("expected a MetricError", sourceLocation: sourceLocation)
        return nil
    }

    static let allClassification: [ProtoMetric] = [
        .accuracy, .topKAccuracy, .precisionMicro, .recallMicro, .f1Micro, .precisionMacro, .recallMacro, .f1Macro,
        .exactMatch, .hammingLoss, .mae, .mse, .meanIou,
    ]

    // MARK: - Single label

    /// Six samples, C = 5 (class 4 never occurs, class 3 is only predicted, sample 4 has no label).
    ///
    ///     sample   0      1      2      3      4    5
    ///     true     0      0      1      1      2    0
    ///     labels   [0,2]  [1,0]  [1,0]  [3,1]  []   [0,1]    predicted = first label
    ///
    /// Counts: class 0 TP 2 (s0, s5), FP 0, FN 1 (s1); class 1 TP 1 (s2), FP 1 (s1), FN 1 (s3);
    /// class 2 TP 0, FP 0, FN 1 (s4); class 3 TP 0, FP 1 (s3), FN 0. ΣTP 3, ΣFP 2, ΣFN 3.
    /// Macro scores average over the classes present in labels ∪ predictions: 0, 1, 2, 3.
    ///
    /// Baseline (decoder.top_k = 2): true counts class 0: 3, class 1: 2, class 2: 1, so every
    /// sample predicts [0, 1]; counts class 0 TP 3, FP 3; class 1 FN 2; class 2 FN 1; present 0, 1, 2.
    @Test func singleLabel() throws {
        let head = Self.head(.oneHot, Self.allClassification) { $0.decoder.topK = 2 }
        let labels = Tensor(shape: [6], scalars: [0, 0, 1, 1, 2, 0])
        let predictions = Self.predictions([[0, 2], [1, 0], [1, 0], [3, 1], [], [0, 1]])
        let r = try Self.evaluate(head, predictions, labels, classes: 5)

        // Correct: s0, s2, s5. Baseline: three samples are class 0.
        Self.expect(r["accuracy"], 3.0 / 6, baseline: 3.0 / 6)
        Self.expect(r["exact_match"], 3.0 / 6, baseline: 3.0 / 6)
        // True class among the labels: all but s4. Baseline: true class in {0, 1}: all but s4.
        Self.expect(r["top_k_accuracy"], 5.0 / 6, baseline: 5.0 / 6)
        // Micro: P = 3/(3+2), R = 3/(3+3), F1 = 2·3/(2·3+2+3). Baseline: P = R = F1 = 3/6 = accuracy.
        Self.expect(r["precision_micro"], 3.0 / 5, baseline: 0.5)
        Self.expect(r["recall_micro"], 3.0 / 6, baseline: 0.5)
        Self.expect(r["f1_micro"], 6.0 / 11, baseline: 2.0 * 3 / (2 * 3 + 3 + 3))
        // Macro P: (2/2 + 1/2 + 0 (0/0) + 0/1) / 4. Baseline: (3/6 + 0 + 0) / 3.
        Self.expect(r["precision_macro"], (1 + 0.5 + 0 + 0) / 4, baseline: (3.0 / 6) / 3)
        // Macro R: (2/3 + 1/2 + 0/1 + 0 (0/0)) / 4. Baseline: (3/3 + 0/2 + 0/1) / 3.
        Self.expect(r["recall_macro"], (2.0 / 3 + 0.5) / 4, baseline: 1.0 / 3)
        // Macro F1 = 2TP/(2TP+FP+FN): (4/5 + 2/4 + 0 + 0) / 4. Baseline: (6/9 + 0 + 0) / 3.
        Self.expect(r["f1_macro"], (0.8 + 0.5) / 4, baseline: (6.0 / 9) / 3)
        // IoU = TP/(TP+FP+FN): (2/3 + 1/3 + 0 + 0) / 4. Baseline: (3/6 + 0 + 0) / 3.
        Self.expect(r["mean_iou"], (2.0 / 3 + 1.0 / 3) / 4, baseline: 0.5 / 3)
        // Hamming: one-hot sets of 5 bits; wrong bits ΣFP + ΣFN = 5 of 6·5. Baseline: 3 + 3 of 30.
        Self.expect(r["hamming_loss"], 5.0 / 30, baseline: 6.0 / 30)
        // MAE over the 5 samples with a prediction: |0−0| + |1−0| + |1−1| + |3−1| + |0−0| = 3.
        // Baseline predicts the median class of 0,0,0,1,1,2, which is 0: 0 + 0 + 1 + 1 + 2 + 0 = 4 over 6.
        Self.expect(r["mae"], 3.0 / 5, baseline: 4.0 / 6)
        // MSE: 0 + 1 + 0 + 4 + 0 = 5 over 5. Baseline predicts the class nearest the mean 4/6,
        // which is 1: 1 + 1 + 0 + 0 + 1 + 1 = 4 over 6 (the majority class 0 would give 6/6).
        Self.expect(r["mse"], 5.0 / 5, baseline: 4.0 / 6)
    }

    /// When every sample has a predicted class, micro precision = recall = F1 = accuracy.
    @Test func microEqualsAccuracy() throws {
        let head = Self.head(.binaryCode, [.accuracy, .precisionMicro, .recallMicro, .f1Micro])
        // Correct: samples 0 and 3 of 4.
        let r = try Self.evaluate(
            head, Self.predictions([[1], [0], [2], [2]]), Tensor(shape: [4, 1], scalars: [1, 1, 0, 2]), classes: 3)
        for name in ["accuracy", "precision_micro", "recall_micro", "f1_micro"] {
            #expect(abs((r[name]?.value ?? -1) - 2.0 / 4) < 1e-12, "\(name)")
        }
    }

    /// The majority class breaks ties toward the smaller index: labels 0, 2, 0, 2, 3 have two
    /// 0s and two 2s, so the accuracy baseline predicts 0 (2 of 5 right). The MAE baseline
    /// predicts the median class 2 instead: (2+0+2+0+1)/5, below the majority's (0+2+0+2+3)/5.
    @Test func majorityTieGoesToTheSmallerClass() throws {
        let head = Self.head(.ordinal, [.mae, .accuracy])
        let labels = Tensor(shape: [5], int64s: [0, 2, 0, 2, 3])
        let r = try Self.evaluate(head, Self.predictions([[0], [2], [0], [2], [3]]), labels, classes: 4)
        Self.expect(r["mae"], 0, baseline: 5.0 / 5)
        Self.expect(r["accuracy"], 1, baseline: 2.0 / 5)
    }

    /// Samples whose label is the ignore_index are left out of metrics and baselines.
    @Test func ignoreIndexIsLeftOut() throws {
        let head = Self.head(.oneHot, [.accuracy]) { $0.loss.ignoreIndex = -1 }
        // Kept: sample 0 (true 0, predicted 0) and sample 2 (true 1, predicted 0): 1 of 2 correct.
        // Baseline: classes 0 and 1 once each, ties to 0: 1 of 2.
        let r = try Self.evaluate(
            head, Self.predictions([[0], [1], [0]]), Tensor(shape: [3], int64s: [0, -1, 1]), classes: 2)
        Self.expect(r["accuracy"], 0.5, baseline: 0.5)
        let all = Self.failure(head, Self.predictions([[0]]), Tensor(shape: [1], int64s: [-1]), classes: 2)
        #expect(all?.code == "metric.empty")
    }

    // MARK: - Multi label

    /// Five samples, C = 4 (class 3 is never true but predicted once; sample 2 is empty/empty).
    ///
    ///     sample      0       1       2    3       4
    ///     true        {0,2}   {1}     {}   {0,1}   {}
    ///     predicted   {0}     {1,2}   {}   {}      {3}
    ///
    /// Counts: class 0 TP 1, FN 1; class 1 TP 1, FN 1; class 2 FP 1, FN 1; class 3 FP 1.
    /// ΣTP 2, ΣFP 2, ΣFN 3. Baseline: every sample predicts {}, so TP = FP = 0, ΣFN = 5.
    @Test func multiLabel() throws {
        let head = Self.head(
            .multiHot,
            [
                .accuracy, .exactMatch, .precisionMicro, .recallMicro, .f1Micro, .precisionMacro, .recallMacro,
                .f1Macro, .f1Samples, .hammingLoss,
            ])
        let labels = Tensor(
            shape: [5, 4],
            scalars: [
                1, 0, 1, 0,
                0, 1, 0, 0,
                0, 0, 0, 0,
                1, 1, 0, 0,
                0, 0, 0, 0,
            ])
        let predictions = Self.predictions([[0], [2, 1], [], [], [3]])
        let r = try Self.evaluate(head, predictions, labels, classes: 4)

        // Exact: sample 2 only. Baseline ({} everywhere): samples 2 and 4.
        Self.expect(r["accuracy"], 1.0 / 5, baseline: 2.0 / 5)
        Self.expect(r["exact_match"], 1.0 / 5, baseline: 2.0 / 5)
        // Micro: P = 2/(2+2), R = 2/(2+3), F1 = 2·2/(2·2+2+3). Baseline: 0/0 → 0, 0/5, 0.
        Self.expect(r["precision_micro"], 2.0 / 4, baseline: 0)
        Self.expect(r["recall_micro"], 2.0 / 5, baseline: 0)
        Self.expect(r["f1_micro"], 4.0 / 9, baseline: 0)
        // Macro over all 4 classes: P (1/1 + 1/1 + 0/1 + 0/1) / 4; R (1/2 + 1/2 + 0/1 + 0 (0/0)) / 4;
        // F1 (2/3 + 2/3 + 0 + 0) / 4. Baselines: every class 0.
        Self.expect(r["precision_macro"], 2.0 / 4, baseline: 0)
        Self.expect(r["recall_macro"], 1.0 / 4, baseline: 0)
        Self.expect(r["f1_macro"], (4.0 / 3) / 4, baseline: 0)
        // Per-sample F1 = 2|T∩P|/(|T|+|P|): 2/3, 2/3, 0 (empty/empty), 0/2, 0/1 → (4/3)/5.
        // Baseline: 0 for every sample, the empty/empty ones included.
        Self.expect(r["f1_samples"], (4.0 / 3) / 5, baseline: 0)
        // Hamming: wrong bits 2 + 3 = 5 of 5·4. Baseline: the 5 true bits are missed.
        Self.expect(r["hamming_loss"], 5.0 / 20, baseline: 5.0 / 20)
    }

    /// SOFT_MULTI_LABEL reads labels the same way, from integer matrices too.
    @Test func softMultiLabelExactMatch() throws {
        let head = Self.head(.softMultiLabel, [.exactMatch])
        // Sample 0: {1} vs {1} exact; sample 1: {0, 1} vs {0}. Baseline: no row is empty.
        let r = try Self.evaluate(
            head, Self.predictions([[1], [0]]), Tensor(shape: [2, 2], int64s: [0, 1, 1, 1]), classes: 2)
        Self.expect(r["exact_match"], 0.5, baseline: 0)
    }

    // MARK: - Real values

    /// One value per sample: labels 1, 2, 4, 9 (mean 4, median (2+4)/2 = 3), predictions 2, 2, 3, 5.
    @Test func realVector() throws {
        let head = Self.head(.real, [.mae, .mse])
        let predictions = [2, 2, 3, 5].map { Prediction(value: [Float($0)]) }
        let r = try Self.evaluate(head, predictions, Tensor(shape: [4], scalars: [1, 2, 4, 9]), classes: 1)
        // MAE (1 + 0 + 1 + 4)/4; baseline median 3: (2 + 1 + 1 + 6)/4.
        Self.expect(r["mae"], 6.0 / 4, baseline: 10.0 / 4)
        // MSE (1 + 0 + 1 + 16)/4; baseline mean 4: (9 + 4 + 0 + 25)/4.
        Self.expect(r["mse"], 18.0 / 4, baseline: 38.0 / 4)
    }

    /// Two values per sample, averaged over all elements; baselines per column.
    ///
    /// Labels columns: 0, 2, 4 (mean 2, median 2) and 10, 20, 60 (mean 30, median 20).
    @Test func realMatrix() throws {
        let head = Self.head(.real, [.mae, .mse])
        let predictions = [[1, 10], [2, 25], [4, 50]].map { Prediction(value: $0.map(Float.init)) }
        let labels = Tensor(shape: [3, 2], scalars: [0, 10, 2, 20, 4, 60])
        let r = try Self.evaluate(head, predictions, labels, classes: 2)
        // Errors, row-major: 1, 0, 0, 5, 0, 10. Median baseline (2, 20): 2, 10, 0, 0, 2, 40.
        Self.expect(r["mae"], 16.0 / 6, baseline: 54.0 / 6)
        // Squares: 1 + 0 + 0 + 25 + 0 + 100. Mean baseline (2, 30): 4 + 400 + 0 + 100 + 4 + 900.
        Self.expect(r["mse"], 126.0 / 6, baseline: 1408.0 / 6)
    }

    // MARK: - Results

    /// Names are the Metric enum values in lower case; results encode as JSON objects.
    @Test func namesAndJSON() throws {
        let names = ProtoMetric.allCases.compactMap(\.reportName)
        #expect(
            names == [
                "accuracy", "top_k_accuracy", "precision_micro", "recall_micro", "f1_micro", "precision_macro",
                "recall_macro", "f1_macro", "f1_samples", "exact_match", "hamming_loss", "mae", "mse", "mean_iou",
            ])
        let result = MetricResult(metric: "f1_macro", value: 0.5, baseline: 0.25)
        let json = try JSONEncoder().encode(result)
        #expect(try JSONDecoder().decode(MetricResult.self, from: json) == result)
        let object = try JSONSerialization.jsonObject(with: json) as? [String: Any]
        #expect(object?["metric"] as? String == "f1_macro" && object?["baseline"] as? Double == 0.25)
    }

    // MARK: - Errors

    /// A metric that measures nothing for the head's kind of label.
    @Test(arguments: [
        (ProtoLabelEncoding.Kind.real, ProtoMetric.meanIou), (.real, .accuracy), (.multiHot, .mae),
        (.softMultiLabel, .mse), (.multiHot, .topKAccuracy), (.multiHot, .meanIou), (.oneHot, .f1Samples),
    ])
    func notApplicable(_ c: (ProtoLabelEncoding.Kind, ProtoMetric)) {
        let error = Self.failure(
            Self.head(c.0, [c.1]), Self.predictions([[0]]), Tensor(zeros: [1, 1]), classes: 1)
        guard case .notApplicable(let head, let metric, let encoding, _) = error else {
            Issue.record("expected notApplicable, got \(String(describing: error))")
            return
        }
        #expect(head == "h" && metric == c.1 && encoding == c.0)
        #expect(error?.description.contains("metric \(c.1.spelled) does not apply") == true)
    }

    /// No samples, or counts that differ.
    @Test func emptyAndSampleCount() {
        let head = Self.head(.oneHot, [.accuracy])
        let empty = Self.failure(head, [], Tensor(zeros: [0]), classes: 2)
        #expect(empty == .empty(head: "h", reason: "the data has 0 samples"))
        let count = Self.failure(head, Self.predictions([[0], [1]]), Tensor(zeros: [3]), classes: 2)
        #expect(count == .sampleCount(head: "h", predictions: 2, labels: 3))
    }

    /// Labels that do not fit the head name the sample (and column) and the value.
    @Test func invalidLabels() {
        let single = Self.head(.oneHot, [.accuracy])
        let shape = Self.failure(single, Self.predictions([[0], [1]]), Tensor(zeros: [2, 3]), classes: 3)
        #expect(shape?.code == "metric.label-shape")
        let range = Self.failure(
            single, Self.predictions([[0], [1]]), Tensor(shape: [2], scalars: [0, 3]), classes: 3)
        #expect(
            range == .invalidLabel(head: "h", sample: 1, column: nil, value: "3", allowed: "a class index in 0..<3"))
        #expect(range?.description.contains("sample 1: label 3") == true)
        let fraction = Self.failure(single, Self.predictions([[0]]), Tensor(shape: [1], scalars: [0.5]), classes: 3)
        #expect(fraction?.description.contains("sample 0: label 0.5") == true)
        let multi = Self.failure(
            Self.head(.multiHot, [.f1Micro]), Self.predictions([[0], [1]]),
            Tensor(shape: [2, 2], scalars: [0, 1, 2, 0]),
            classes: 2)
        #expect(multi == .invalidLabel(head: "h", sample: 1, column: 0, value: "2", allowed: "0 or 1"))
        let real = Self.failure(
            Self.head(.real, [.mae]), [Prediction(value: [0])], Tensor(shape: [1], scalars: [.nan]), classes: 1)
        #expect(real?.description.contains("sample 0: label nan") == true)
    }

    /// Predictions that do not fit the head.
    @Test func invalidPredictions() {
        let range = Self.failure(
            Self.head(.oneHot, [.accuracy]), Self.predictions([[0], [7]]), Tensor(zeros: [2]), classes: 3)
        #expect(range?.code == "metric.invalid-prediction")
        #expect(range?.description.contains("sample 1: prediction has label 7") == true)
        let value = Self.failure(
            Self.head(.real, [.mse]), [Prediction(value: [1]), Prediction(labels: [0])], Tensor(zeros: [2]), classes: 1)
        #expect(value?.description.contains("sample 1: prediction has no value") == true)
    }

    /// MAE of class indices with no predicted class at all has no value.
    @Test func undefinedWithoutPredictions() {
        let error = Self.failure(
            Self.head(.ordinal, [.mae]), Self.predictions([[], []]), Tensor(zeros: [2]), classes: 3)
        guard case .undefined(_, .mae, _) = error else {
            Issue.record("expected undefined, got \(String(describing: error))")
            return
        }
    }

    /// Unknown metrics and encodings, and a class count below 1.
    @Test func configuration() {
        let unspecified = Self.failure(
            Self.head(.oneHot, [.accuracy, .unspecified]), Self.predictions([[0]]), Tensor(zeros: [1]), classes: 2)
        #expect(unspecified?.description.hasPrefix("head 'h': metric[1]: METRIC_UNSPECIFIED") == true)
        let encoding = Self.failure(
            Self.head(.unspecified, [.accuracy]), Self.predictions([[0]]), Tensor(zeros: [1]), classes: 2)
        #expect(encoding?.code == "metric.configuration")
        let classes = Self.failure(
            Self.head(.oneHot, [.accuracy]), Self.predictions([[0]]), Tensor(zeros: [1]), classes: 0)
        #expect(classes?.code == "metric.configuration")
    }
}
