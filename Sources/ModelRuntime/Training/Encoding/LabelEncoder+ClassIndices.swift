/// Encoding class indices: ONE_HOT (both forms), BINARY_CODE and ORDINAL.
extension LabelEncoder {
    /// Checks and encodes a class index per sample or per position.
    func encodeClassIndices(_ labels: Tensor) throws(EncodingError) -> Tensor {
        let layout = try classIndexLayout(labels.shape)
        let elements = LabelElements(labels)
        let total = layout.samples * layout.positionCount
        if form == .classIndex {
            var indices = [Int64](repeating: 0, count: total)
            for index in 0..<total {
                indices[index] = try classIndex(elements, index, layout)
            }
            return Tensor(shape: [layout.samples] + layout.positions, int64s: indices)
        }

        let shape = [layout.samples, outputWidth] + layout.positions
        let (low, high) = denseLevels()
        var targets = [Float](repeating: low, count: try checkedCount(shape))
        let positions = layout.positionCount
        for index in 0..<total {
            // In range: the dense form honours no ignore_index.
            let label = Int(try classIndex(elements, index, layout))
            // Element (n, u, p) of [N, W, P] sits at n·W·P + u·P + p.
            let base = (index / positions) * outputWidth * positions + index % positions
            switch kind {
            case .oneHot:
                targets[base + label * positions] = high
            case .binaryCode:
                for (unit, bit) in codewords[label].enumerated() where bit == 1 {
                    targets[base + unit * positions] = high
                }
            default:
                // ORDINAL: unit j is 1 when the level exceeds j, so units 0..<level are on.
                for unit in 0..<min(label, outputWidth) {
                    targets[base + unit * positions] = high
                }
            }
        }
        return Tensor(shape: shape, scalars: targets)
    }

    /// The dense target values of an absent (0) and a present (1) unit after label smoothing:
    /// ε/C and 1 − ε + ε/C for a one-hot distribution, ε/2 and 1 − ε/2 for independent bits.
    private func denseLevels() -> (low: Float, high: Float) {
        let epsilon = Double(labelSmoothing)
        let share = kind == .oneHot ? epsilon / Double(classes) : epsilon / 2
        return (Float(share), Float(1 - epsilon + share))
    }

    /// The layout of class-index labels: per sample `[N]` or `[N, 1]`, per position
    /// `[N, d1..dk]` (or `[N, 1, d1..dk]` when the spatial shape is known).
    private func classIndexLayout(_ shape: [Int]) throws(EncodingError) -> LabelLayout {
        if let spatialShape {
            let expected =
                "\(Self.spelledShape(["N"], spatialShape)) or \(Self.spelledShape(["N", "1"], spatialShape)), one "
                + (spatialShape.isEmpty ? "class index per sample" : "class index per output position")
            guard let samples = shape.first else { throw shapeError(shape, expected: expected) }
            let rest = Array(shape.dropFirst())
            guard rest == spatialShape || rest == [1] + spatialShape else {
                throw shapeError(shape, expected: expected)
            }
            return LabelLayout(samples: samples, width: 1, positions: spatialShape)
        }
        switch shape.count {
        case 1:
            return LabelLayout(samples: shape[0], width: 1, positions: [])
        case 2 where shape[1] == 1:
            return LabelLayout(samples: shape[0], width: 1, positions: [])
        case 3...:
            return LabelLayout(samples: shape[0], width: 1, positions: Array(shape.dropFirst()))
        default:
            throw shapeError(
                shape,
                expected: "one class index per sample, [N] or [N, 1], or per position, [N, d1, …, dk] with k ≥ 2; "
                    + "\(DecodeError.spelled(kind)) takes class indices, not rows of several values")
        }
    }

    /// Element `index` as a valid class index (or the ignore_index), or the error that says why not.
    private func classIndex(
        _ elements: LabelElements, _ index: Int, _ layout: LabelLayout
    ) throws(EncodingError) -> Int64 {
        let reading = elements.classIndex(index)
        if case .index(let label) = reading, label == ignoreIndex || (label >= 0 && label < Int64(classes)) {
            return label
        }
        // The place is worked out only for the error, so valid labels cost no allocation.
        let place = layout.place(of: index)
        switch reading {
        case .index(let label):
            throw outOfRange(Double(label), place.sample, place.position)
        case .huge(let value):
            throw outOfRange(value, place.sample, place.position)
        case .fractional(let value):
            throw .nonIntegerLabel(
                head: headName, encoding: kind, sample: place.sample, position: place.position, value: value)
        case .nonFinite(let spelling):
            throw .nonFinite(
                head: headName, encoding: kind, sample: place.sample, position: place.position, column: nil,
                value: spelling)
        }
    }

    private func outOfRange(_ value: Double, _ sample: Int, _ position: [Int]?) -> EncodingError {
        .labelOutOfRange(
            head: headName, encoding: kind, sample: sample, position: position, value: value, classes: classes,
            ignoreIndex: ignoreIndex)
    }
}
