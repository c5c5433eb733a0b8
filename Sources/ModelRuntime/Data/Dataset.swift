import Foundation

/// Named arrays that share a first (sample) dimension: the input of `modelrun train`, `eval`
/// and `infer --input`.
///
/// Every initializer validates: at least one array; every array has rank ≥ 1 and the same first
/// dimension (`count`); float arrays hold no NaN or ±Inf. The checks run once at load, so
/// training never meets a malformed batch.
public struct Dataset: Sendable {
    /// The arrays by name (graph input and head target names, or `featureName`/`labelName`).
    public var arrays: [String: Tensor]
    /// The number of samples: the first dimension every array shares.
    public var count: Int
    /// Where the labels came from when they are a CSV column, so label errors can name the
    /// line and the column; nil for other files.
    public var labelOrigin: LabelOrigin?

    /// A CSV label column: the array it became, its 1-based column number and header name, and
    /// each sample's line in the file.
    public struct LabelOrigin: Sendable, Equatable {
        public var array: String
        public var column: Int
        public var name: String?
        public var lines: [Int]

        /// "line 519, column 1 ('species')", or without the line when `sample` is unknown.
        public func describe(sample: Int?) -> String {
            let column = "column \(self.column)" + (name.map { " ('\($0)')" } ?? "")
            guard let sample, sample >= 0, sample < lines.count else { return column }
            return "line \(lines[sample]), \(column)"
        }
    }

    /// The kinds of data file, each with its reader.
    public enum FileKind: String, Sendable, CaseIterable {
        /// A numpy archive; arrays keep their names.
        case npz
        /// One numpy array, named `featureName`.
        case npy
        /// Numeric CSV (`.csv`, `.csv.gz`): `featureName` `[N, F]` and `labelName` `[N]`.
        case csv
        /// An IDX file (MNIST layout, `.idx`, `*-ubyte`, optionally `.gz`), named `featureName`.
        case idx
    }

    /// Reads a data file, choosing the reader by extension (`.npz`, `.npy`, `.csv`, `.csv.gz`,
    /// `.idx`, `*-idx3-ubyte`, `*-ubyte.gz`), or by its first bytes when the name says nothing.
    ///
    /// - Parameters:
    ///   - labelColumn: the CSV label column (default: the last); ignored for other kinds.
    ///   - featureName: the name given to a single array, or to the CSV feature columns.
    ///   - labelName: the name given to the CSV labels.
    public init(
        contentsOf url: URL, labelColumn: CSV.LabelColumn = .last, featureName: String = "x",
        labelName: String = "label", limits: DataLimits = DataLimits()
    ) throws(DataError) {
        let file = url.path
        if featureName == labelName, labelColumn != .none {
            throw .labelColumn(
                file: file, column: labelColumn.display, reason: "features and labels are both named '\(labelName)'")
        }
        var data = try DataFile.read(url, limits: limits)
        // Any kind may arrive gzipped (`.csv.gz`, `-ubyte.gz`, `.npy.gz`, `.npz.gz`): inflate
        // once here, so every reader below sees plain bytes.
        if Zlib.isGzip(data) { data = try Zlib.gunzip(data, limit: limits.maxArrayBytes, file: file) }
        let kind = Self.kind(ofName: url.lastPathComponent) ?? Self.kind(ofContents: data)
        let arrays: [String: Tensor]
        var origin: LabelOrigin?
        switch kind {
        case .npz:
            arrays = try NPZ.read(data, file: file, limits: limits)
        case .npy:
            arrays = [featureName: try NPY.read(data, file: file, limits: limits)]
        case .csv:
            let table = try CSV.read(data, file: file, labelColumn: labelColumn, limits: limits)
            var named = [featureName: table.features]
            if let labels = table.labels { named[labelName] = labels }
            arrays = named
            if let column = table.labelColumn {
                origin = LabelOrigin(
                    array: labelName, column: column + 1, name: table.header?[column], lines: table.lines)
            }
        case .idx:
            arrays = [featureName: try IDX.read(data, file: file, limits: limits)]
        case nil:
            throw .unknownFormat(
                file: file,
                reason: "the extension is not .npz, .npy, .csv, .csv.gz, .idx or *-ubyte[.gz], and the "
                    + "first bytes are not a .npy, zip or IDX header")
        }
        try self.init(arrays: arrays, file: file)
        labelOrigin = origin
    }

    /// A dataset of `arrays`, validated as described on the type; `file` names them in errors.
    public init(arrays: [String: Tensor], file: String = "<arrays>") throws(DataError) {
        let names = arrays.keys.sorted()
        guard let firstName = names.first, let first = arrays[firstName] else {
            throw .empty(file: file, reason: "the file holds no arrays")
        }
        for name in names {
            guard let array = arrays[name] else { continue }
            guard let samples = array.shape.first else { throw .scalarArray(file: file, array: name) }
            if samples != first.shape.first {
                throw .shapeMismatch(
                    file: file, array: firstName, shape: first.shape, other: name, otherShape: array.shape)
            }
            if let (index, value) = Self.firstNonFinite(in: array) {
                throw .nonFinite(file: file, array: name, index: index, value: value)
            }
        }
        self.arrays = arrays
        self.count = first.shape.first ?? 0
    }

    /// The kind a file name says: its extension, after removing `.gz`.
    public static func kind(ofName name: String) -> FileKind? {
        var base = name.lowercased()
        if base.hasSuffix(".gz") { base.removeLast(3) }
        if base.hasSuffix(".npz") { return .npz }
        if base.hasSuffix(".npy") { return .npy }
        if base.hasSuffix(".csv") { return .csv }
        if base.hasSuffix(".idx") || base.hasSuffix("-ubyte") || base.hasSuffix(".ubyte") { return .idx }
        return nil
    }

    /// The kind the first bytes say: the `.npy` magic, a zip local header, or an IDX magic number.
    public static func kind(ofContents data: Data) -> FileKind? {
        let head = Array(data.prefix(6))
        if head == NPYHeader.magic { return .npy }
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return .npz }
        if head.count >= 4, head[0] == 0, head[1] == 0, IDX.ElementCode(rawValue: head[2]) != nil { return .idx }
        return nil
    }

    /// The multi-index and rendering (`nan`, `inf`, `-inf`) of the first non-finite element of a
    /// float array, or nil.
    static func firstNonFinite(in tensor: Tensor) -> ([Int], String)? {
        guard tensor.elementType == .float32 else { return nil }
        let flat: (Int, Float)? = tensor.withUnsafeBytes { raw in
            let values = raw.bindMemory(to: Float.self)
            guard let index = values.firstIndex(where: { !$0.isFinite }) else { return nil }
            return (index, values[index])
        }
        guard let (offset, value) = flat else { return nil }
        var index = [Int](repeating: 0, count: tensor.shape.count)
        var rest = offset
        for axis in stride(from: tensor.shape.count - 1, through: 0, by: -1) where tensor.shape[axis] > 0 {
            index[axis] = rest % tensor.shape[axis]
            rest /= tensor.shape[axis]
        }
        return (index, value.isNaN ? "nan" : value > 0 ? "inf" : "-inf")
    }
}
