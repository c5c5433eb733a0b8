/// How the elements of a natural-label array map to samples, columns and positions.
///
/// Every label array the encoders take is `[N, W, d1..dk]` in row-major order once an omitted
/// axis of size 1 is put back: N samples, W entries per sample and position (1 for a class
/// index, C for a 0/1 row, the value width for REAL), and positions d1..dk for per-pixel labels
/// (none for per-sample labels). The encoders read the array in that order, so the first error
/// found is the one in the lowest sample, and messages can name where it is.
struct LabelLayout: Equatable {
    /// N, the number of samples.
    let samples: Int
    /// W, the entries per sample and position (axis 1 of the target).
    let width: Int
    /// d1..dk, the position dimensions; empty for one label per sample.
    let positions: [Int]

    /// d1·…·dk, the positions per sample (1 when there are none).
    var positionCount: Int { positions.reduce(1, *) }

    /// Whether labels are given per position (pixel-wise) rather than per sample.
    var isPerPosition: Bool { !positions.isEmpty }

    /// The sample, the column (axis-1 index) and the position (nil for per-sample labels) of
    /// flat element `index`.
    func place(of index: Int) -> (sample: Int, column: Int, position: [Int]?) {
        let perColumn = positionCount
        let perSample = width * perColumn
        let sample = index / perSample
        let column = (index % perSample) / perColumn
        return (sample, column, isPerPosition ? unravel(index % perColumn) : nil)
    }

    /// The row-major indices of position number `flat` in `positions`.
    private func unravel(_ flat: Int) -> [Int] {
        var rest = flat
        var indices = [Int](repeating: 0, count: positions.count)
        for axis in positions.indices.reversed() where positions[axis] > 0 {
            indices[axis] = rest % positions[axis]
            rest /= positions[axis]
        }
        return indices
    }
}
