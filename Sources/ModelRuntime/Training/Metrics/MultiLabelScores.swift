import ModelFormat

/// The metrics of label sets (MULTI_HOT, SOFT_MULTI_LABEL heads), gathered in one pass.
///
/// Each sample has a true set T (the columns of its 0/1 row that are 1) and a predicted set P
/// (the decoder's labels). Definitions follow scikit-learn's multilabel metrics with
/// zero_division = 0 (see `ClassificationCounts`):
/// - ACCURACY and EXACT_MATCH: subset accuracy, the fraction of samples with P = T.
/// - PRECISION/RECALL/F1 _MICRO: TP, FP, FN pooled over all samples and classes.
/// - _MACRO: unweighted means over all C classes, including classes absent from both.
/// - F1_SAMPLES: the mean over samples of 2|T ∩ P| / (|T| + |P|); a sample with T and P both
///   empty scores 0 (scikit-learn, zero_division = 0).
/// - HAMMING_LOSS: the wrong bits |T △ P| summed, over N·C.
struct MultiLabelScores {
    /// N, the number of samples.
    let samples: Int
    /// C, the number of classes.
    let classes: Int
    /// Per-class TP, FP, FN.
    private(set) var counts: ClassificationCounts
    /// Samples with P = T.
    private(set) var exactMatches = 0
    /// Σ per-sample F1.
    private(set) var sampleF1Sum = 0.0

    /// Gathers the counts of `truth` against `predicted`, one set per sample, classes in
    /// 0..<classes (checked by the caller).
    init(classes: Int, truth: [Set<Int>], predicted: [Set<Int>]) {
        self.samples = truth.count
        self.classes = classes
        counts = ClassificationCounts(classes: classes)
        for (trueSet, predictedSet) in zip(truth, predicted) {
            counts.add(truth: trueSet, predicted: predictedSet)
            if trueSet == predictedSet { exactMatches += 1 }
            let overlap = trueSet.intersection(predictedSet).count
            sampleF1Sum += ClassificationCounts.ratio(2 * overlap, trueSet.count + predictedSet.count)
        }
    }

    /// The value of `metric`, or nil when it does not apply to label sets (TOP_K_ACCURACY,
    /// MAE, MSE, MEAN_IOU).
    func value(of metric: ProtoMetric) -> Double? {
        let n = Double(samples)
        switch metric {
        case .accuracy, .exactMatch: return Double(exactMatches) / n
        case .precisionMicro: return counts.microPrecision
        case .recallMicro: return counts.microRecall
        case .f1Micro: return counts.microF1
        case .precisionMacro: return counts.mean(over: Array(0..<classes), counts.precision)
        case .recallMacro: return counts.mean(over: Array(0..<classes), counts.recall)
        case .f1Macro: return counts.mean(over: Array(0..<classes), counts.f1)
        case .f1Samples: return sampleF1Sum / n
        case .hammingLoss: return Double(counts.wrongBits) / (n * Double(classes))
        case .topKAccuracy, .mae, .mse, .meanIou, .unspecified, .UNRECOGNIZED: return nil
        }
    }
}
