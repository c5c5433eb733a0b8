import ModelFormat

/// The metrics of one class per sample (ONE_HOT, BINARY_CODE, ORDINAL heads), gathered in one
/// pass over the samples.
///
/// Each sample has a true class and a predicted class, the decoder's first (best) label, or
/// none when the decoder gave no label; a sample without a predicted class is wrong under every
/// metric. Definitions follow scikit-learn with zero_division = 0 (see `ClassificationCounts`):
/// - ACCURACY and EXACT_MATCH: the fraction of samples whose predicted class is the true one.
/// - TOP_K_ACCURACY: the fraction whose true class is among all of the sample's decoded labels.
/// - PRECISION/RECALL/F1 _MICRO: from TP, FP and FN pooled over classes; when every sample has a
///   predicted class all three equal accuracy.
/// - _MACRO and MEAN_IOU: unweighted means over the classes that occur among the true or the
///   predicted classes (scikit-learn's `unique_labels`); a class that is predicted but never
///   true counts, with recall 0 and F1 0.
/// - HAMMING_LOSS: the labels read as one-hot sets of C bits, so a wrong class costs 2 bits, no
///   prediction 1, over N·C bits. (scikit-learn's multiclass `hamming_loss` is instead the
///   fraction of wrong samples; the per-bit form keeps single- and multi-label heads comparable.)
/// - MAE and MSE: |predicted − true| and its square in class-index (level) units, meaningful for
///   ORDINAL levels, averaged over the samples that have a predicted class; samples with no
///   prediction are left out, since they have no distance.
struct SingleLabelScores {
    /// N, the number of samples.
    let samples: Int
    /// C, the number of classes.
    let classes: Int
    /// Per-class TP, FP, FN.
    private(set) var counts: ClassificationCounts
    /// Samples whose true class is among their decoded labels.
    private(set) var topKHits = 0
    /// Samples that have a predicted class.
    private(set) var predictedSamples = 0
    /// Σ |predicted − true| over samples with a predicted class.
    private(set) var absoluteErrorSum = 0.0
    /// Σ (predicted − true)² over samples with a predicted class.
    private(set) var squaredErrorSum = 0.0

    /// Gathers the counts of `truth` (a class per sample) against `labels` (each sample's
    /// decoded labels, best first); classes are in 0..<classes, checked by the caller.
    init(classes: Int, truth: [Int], labels: [[Int]]) {
        self.samples = truth.count
        self.classes = classes
        counts = ClassificationCounts(classes: classes)
        for (sample, trueClass) in truth.enumerated() {
            let predicted = labels[sample].first
            counts.add(truth: trueClass, predicted: predicted)
            if labels[sample].contains(trueClass) { topKHits += 1 }
            if let predicted {
                let distance = Double(predicted - trueClass)
                predictedSamples += 1
                absoluteErrorSum += abs(distance)
                squaredErrorSum += distance * distance
            }
        }
    }

    /// The `k` classes most frequent in `truth`, most frequent first, ties to the smaller index:
    /// the labels of the constant predictor whose first label is the majority class.
    static func mostFrequent(_ truth: [Int], classes: Int, count k: Int) -> [Int] {
        var frequency = [Int](repeating: 0, count: classes)
        for label in truth { frequency[label] += 1 }
        let ranked = frequency.indices.sorted {
            frequency[$0] != frequency[$1] ? frequency[$0] > frequency[$1] : $0 < $1
        }
        return Array(ranked.prefix(max(k, 1)))
    }

    /// The value of `metric`, or nil when it has none on these samples (MAE or MSE with no
    /// predicted class) or does not apply to single labels (F1_SAMPLES).
    func value(of metric: ProtoMetric) -> Double? {
        let n = Double(samples)
        switch metric {
        case .accuracy, .exactMatch: return Double(counts.truePositives.reduce(0, +)) / n
        case .topKAccuracy: return Double(topKHits) / n
        case .precisionMicro: return counts.microPrecision
        case .recallMicro: return counts.microRecall
        case .f1Micro: return counts.microF1
        case .precisionMacro: return counts.mean(over: counts.presentClasses, counts.precision)
        case .recallMacro: return counts.mean(over: counts.presentClasses, counts.recall)
        case .f1Macro: return counts.mean(over: counts.presentClasses, counts.f1)
        case .meanIou: return counts.mean(over: counts.presentClasses, counts.intersectionOverUnion)
        case .hammingLoss: return Double(counts.wrongBits) / (n * Double(classes))
        case .mae: return predictedSamples == 0 ? nil : absoluteErrorSum / Double(predictedSamples)
        case .mse: return predictedSamples == 0 ? nil : squaredErrorSum / Double(predictedSamples)
        case .f1Samples, .unspecified, .UNRECOGNIZED: return nil
        }
    }
}
