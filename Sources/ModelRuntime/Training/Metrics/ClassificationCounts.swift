/// Per-class counts of true positives, false positives and false negatives, and the precision,
/// recall, F1 and IoU scores built from them (scikit-learn's definitions, zero_division = 0).
///
/// A sample contributes its true label set T and its predicted label set P: each class in
/// T ∩ P is a true positive, each in P \ T a false positive, each in T \ P a false negative.
/// One class per sample (single-label) is the case |T| = 1 and |P| ≤ 1, so a wrong prediction
/// is a false positive of the predicted class and a false negative of the true one, and a
/// sample with no prediction is only a false negative.
///
/// Ratios whose denominator is 0 are 0, as scikit-learn's `zero_division=0`: a class never
/// predicted has precision 0, a class never true has recall 0.
struct ClassificationCounts {
    /// TP per class.
    private(set) var truePositives: [Int]
    /// FP per class.
    private(set) var falsePositives: [Int]
    /// FN per class.
    private(set) var falseNegatives: [Int]

    /// All-zero counts for `classes` classes.
    init(classes: Int) {
        truePositives = [Int](repeating: 0, count: classes)
        falsePositives = truePositives
        falseNegatives = truePositives
    }

    /// Counts one sample with true set `truth` and predicted set `predicted` (classes in
    /// 0..<classes).
    mutating func add(truth: Set<Int>, predicted: Set<Int>) {
        for label in predicted {
            if truth.contains(label) { truePositives[label] += 1 } else { falsePositives[label] += 1 }
        }
        for label in truth where !predicted.contains(label) {
            falseNegatives[label] += 1
        }
    }

    /// Counts one single-label sample: true class `truth`, predicted class `predicted` (nil: none).
    mutating func add(truth: Int, predicted: Int?) {
        switch predicted {
        case truth:
            truePositives[truth] += 1
        case let other?:
            falsePositives[other] += 1
            falseNegatives[truth] += 1
        case nil:
            falseNegatives[truth] += 1
        }
    }

    /// The classes that occur among the true or the predicted labels (TP + FP + FN > 0):
    /// scikit-learn's `unique_labels(y_true, y_pred)`, over which it averages single-label
    /// macro scores.
    var presentClasses: [Int] {
        truePositives.indices.filter { truePositives[$0] + falsePositives[$0] + falseNegatives[$0] > 0 }
    }

    /// ΣFP + ΣFN: wrong label bits over all samples and classes.
    var wrongBits: Int { falsePositives.reduce(0, +) + falseNegatives.reduce(0, +) }

    /// Micro precision: ΣTP / (ΣTP + ΣFP).
    var microPrecision: Double {
        let tp = truePositives.reduce(0, +)
        return Self.ratio(tp, tp + falsePositives.reduce(0, +))
    }

    /// Micro recall: ΣTP / (ΣTP + ΣFN).
    var microRecall: Double {
        let tp = truePositives.reduce(0, +)
        return Self.ratio(tp, tp + falseNegatives.reduce(0, +))
    }

    /// Micro F1: 2ΣTP / (2ΣTP + ΣFP + ΣFN), the harmonic mean of micro precision and recall.
    var microF1: Double {
        let tp = truePositives.reduce(0, +)
        return Self.ratio(2 * tp, 2 * tp + wrongBits)
    }

    /// Precision of class `c`: TP / (TP + FP).
    func precision(_ c: Int) -> Double { Self.ratio(truePositives[c], truePositives[c] + falsePositives[c]) }

    /// Recall of class `c`: TP / (TP + FN).
    func recall(_ c: Int) -> Double { Self.ratio(truePositives[c], truePositives[c] + falseNegatives[c]) }

    /// F1 of class `c`: 2TP / (2TP + FP + FN), equal to 2PR / (P + R) and 0 when TP is 0.
    func f1(_ c: Int) -> Double {
        Self.ratio(2 * truePositives[c], 2 * truePositives[c] + falsePositives[c] + falseNegatives[c])
    }

    /// Intersection over union of class `c`: TP / (TP + FP + FN).
    func intersectionOverUnion(_ c: Int) -> Double {
        Self.ratio(truePositives[c], truePositives[c] + falsePositives[c] + falseNegatives[c])
    }

    /// The unweighted mean of `score` over `classes` (0 for no classes).
    func mean(over classes: [Int], _ score: (Int) -> Double) -> Double {
        classes.isEmpty ? 0 : classes.reduce(0) { $0 + score($1) } / Double(classes.count)
    }

    /// `numerator / denominator`, 0 when the denominator is 0 (zero_division = 0).
    static func ratio(_ numerator: Int, _ denominator: Int) -> Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }
}
