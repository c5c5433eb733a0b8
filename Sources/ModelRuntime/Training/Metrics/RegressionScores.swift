import ModelFormat

/// The metrics of real values (REAL heads) and the constant predictors their baselines use.
///
/// MAE and MSE average |predicted − true| and (predicted − true)² over every element of the
/// `[N, W]` values (scikit-learn's `mean_absolute_error` and `mean_squared_error` with
/// multioutput "uniform_average", which is the same mean when every output has N values).
struct RegressionScores {
    /// Σ |predicted − true| over all elements.
    private(set) var absoluteErrorSum = 0.0
    /// Σ (predicted − true)² over all elements.
    private(set) var squaredErrorSum = 0.0
    /// N·W, the number of elements.
    let count: Int

    /// The errors of `predicted` against `truth`, both N·W values row-major.
    init(truth: [Float], predicted: [Float]) {
        count = truth.count
        for (t, p) in zip(truth, predicted) {
            let error = Double(p) - Double(t)
            absoluteErrorSum += abs(error)
            squaredErrorSum += error * error
        }
    }

    /// The value of `metric`, or nil when it does not apply to real values (all but MAE, MSE).
    func value(of metric: ProtoMetric) -> Double? {
        switch metric {
        case .mae: absoluteErrorSum / Double(count)
        case .mse: squaredErrorSum / Double(count)
        default: nil
        }
    }

    /// The mean of each of the `width` columns of `values` (N·W row-major): the constant
    /// prediction with the least squared error.
    static func columnMeans(_ values: [Float], width: Int) -> [Float] {
        let rows = values.count / width
        guard rows > 0 else { return [Float](repeating: 0, count: width) }
        return (0..<width).map { column in
            var sum = 0.0
            for row in 0..<rows { sum += Double(values[row * width + column]) }
            return Float(sum / Double(rows))
        }
    }

    /// The median of each column (the mean of the two middle values for an even count, as
    /// numpy's median): the constant prediction with the least absolute error.
    static func columnMedians(_ values: [Float], width: Int) -> [Float] {
        let rows = values.count / width
        guard rows > 0 else { return [Float](repeating: 0, count: width) }
        return (0..<width).map { column in
            let sorted = (0..<rows).map { values[$0 * width + column] }.sorted()
            let middle = rows / 2
            return rows % 2 == 1 ? sorted[middle] : Float((Double(sorted[middle - 1]) + Double(sorted[middle])) / 2)
        }
    }
}
