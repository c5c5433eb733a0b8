/// Encoding 0/1 rows (MULTI_HOT, SOFT_MULTI_LABEL) and real values (REAL).
extension LabelEncoder {
    /// Checks 0/1 rows and encodes them: MULTI_HOT keeps each entry (smoothed toward ε/2),
    /// SOFT_MULTI_LABEL divides the row by its count of ones (smoothed toward ε/C).
    func encodeRows(_ labels: Tensor) throws(EncodingError) -> Tensor {
        let layout = try rowLayout(labels.shape)
        let shape = [layout.samples, classes] + layout.positions
        let count = try checkedCount(shape)
        let elements = LabelElements(labels)
        let positions = layout.positionCount
        let epsilon = Double(labelSmoothing)
        var targets = [Float](repeating: 0, count: count)
        var ones: [Int] = []
        ones.reserveCapacity(classes)
        for sample in 0..<layout.samples {
            for position in 0..<positions {
                // Entry (n, c, p) of [N, C, P] sits at n·C·P + c·P + p.
                let base = sample * classes * positions + position
                ones.removeAll(keepingCapacity: true)
                for column in 0..<classes {
                    let index = base + column * positions
                    switch elements.binary(index) {
                    case .zero:
                        break
                    case .one:
                        ones.append(index)
                    case .other(let value):
                        throw .notBinary(
                            head: headName, encoding: kind, sample: sample, position: layout.place(of: index).position,
                            column: column,
                            value: value)
                    case .nonFinite(let spelling):
                        throw .nonFinite(
                            head: headName, encoding: kind, sample: sample, position: layout.place(of: index).position,
                            column: column, value: spelling)
                    }
                }
                if kind == .softMultiLabel {
                    guard !ones.isEmpty else {
                        throw .emptyRow(
                            head: headName, encoding: kind, sample: sample, position: layout.place(of: base).position)
                    }
                    // (1 − ε)·t + ε/C with t = 1/k on the k labels and 0 elsewhere.
                    let share = epsilon / Double(classes)
                    let on = Float((1 - epsilon) / Double(ones.count) + share)
                    for column in 0..<classes { targets[base + column * positions] = Float(share) }
                    for index in ones { targets[index] = on }
                } else {
                    // Independent bits: (1 − ε)·t + ε/2.
                    let off = Float(epsilon / 2)
                    let on = Float(1 - epsilon / 2)
                    for column in 0..<classes { targets[base + column * positions] = off }
                    for index in ones { targets[index] = on }
                }
            }
        }
        return Tensor(shape: shape, scalars: targets)
    }

    /// Checks real values and returns them as FLOAT `[N, W, d1..dk]` (`[N]` becomes `[N, 1]`).
    func encodeValues(_ labels: Tensor) throws(EncodingError) -> Tensor {
        let layout = try valueLayout(labels.shape)
        let shape = [layout.samples, outputWidth] + layout.positions
        let count = try checkedCount(shape)
        let elements = LabelElements(labels)
        var values = [Float](repeating: 0, count: count)
        // An omitted unit axis of size 1 leaves the row-major order unchanged, so values copy over.
        for index in 0..<count {
            switch elements.real(index) {
            case .success(let value):
                values[index] = value
            case .failure(let nonFinite):
                let place = layout.place(of: index)
                throw .nonFinite(
                    head: headName, encoding: kind, sample: place.sample, position: place.position,
                    column: outputWidth > 1 ? place.column : nil, value: nonFinite.spelling)
            }
        }
        return Tensor(shape: shape, scalars: values)
    }

    /// The layout of 0/1 rows: `[N, C]` or `[N, C, d1..dk]` (`[N]` when C is 1).
    private func rowLayout(_ shape: [Int]) throws(EncodingError) -> LabelLayout {
        let expected =
            Self.spelledShape(["N", String(classes)], spatialShape ?? [])
            + (spatialShape == nil ? " (or [N, \(classes), d1, …, dk] per position)" : "")
            + ", one 0/1 entry per class"
        guard let samples = shape.first else { throw shapeError(shape, expected: expected) }
        if shape.count == 1 && classes == 1 && (spatialShape ?? []).isEmpty {
            return LabelLayout(samples: samples, width: 1, positions: [])
        }
        guard shape.count >= 2 else { throw shapeError(shape, expected: expected) }
        let positions = Array(shape.dropFirst(2))
        if let spatialShape, positions != spatialShape { throw shapeError(shape, expected: expected) }
        guard shape[1] == classes else {
            throw .rowWidth(head: headName, encoding: kind, expected: classes, shape: shape)
        }
        return LabelLayout(samples: samples, width: classes, positions: positions)
    }

    /// The layout of real values: `[N, W]` or `[N, W, d1..dk]`, and `[N]` (or `[N, d1..dk]` when
    /// the spatial shape is known) when W is 1.
    private func valueLayout(_ shape: [Int]) throws(EncodingError) -> LabelLayout {
        let spatial = spatialShape ?? []
        var expected = Self.spelledShape(["N", String(outputWidth)], spatial)
        if outputWidth == 1 { expected = Self.spelledShape(["N"], spatial) + " or " + expected }
        if spatialShape == nil { expected += " (or with position dimensions d1, …, dk after the value axis)" }
        guard let samples = shape.first else { throw shapeError(shape, expected: expected) }
        let rest = Array(shape.dropFirst())
        if outputWidth == 1 && rest == spatial {
            return LabelLayout(samples: samples, width: 1, positions: spatial)
        }
        guard rest.first == outputWidth else { throw shapeError(shape, expected: expected) }
        let positions = Array(rest.dropFirst())
        if let spatialShape, positions != spatialShape { throw shapeError(shape, expected: expected) }
        return LabelLayout(samples: samples, width: outputWidth, positions: positions)
    }
}
