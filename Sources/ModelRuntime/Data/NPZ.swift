import Foundation

/// numpy `.npz` archives: a zip file whose members `<array>.npy` are `.npy` files, as written
/// by `numpy.savez` (stored) and `numpy.savez_compressed` (deflated).
///
/// Reading parses the zip central directory (ZIP64 included), inflates deflated members no
/// further than their declared size, and checks every member's CRC-32. Each member is then read
/// by `NPY`, so its errors name the archive and the member (`data.npz[x.npy]`).
public enum NPZ {
    /// The arrays of the `.npz` file at `url`, keyed by name (the member name without `.npy`).
    public static func read(_ url: URL, limits: DataLimits = DataLimits()) throws(DataError) -> [String: Tensor] {
        try read(DataFile.read(url, limits: limits), file: url.path, limits: limits)
    }

    /// The arrays of `.npz` bytes; `file` names them in errors.
    ///
    /// Every member must be a `.npy` file: other members, and two members with one name, are errors.
    public static func read(
        _ data: Data, file: String, limits: DataLimits = DataLimits()
    ) throws(DataError) -> [String: Tensor] {
        let archive = try ZipArchive(data, file: file)
        var arrays: [String: Tensor] = [:]
        for entry in archive.entries {
            guard entry.name.hasSuffix(".npy") else {
                throw .zip(
                    file: file, member: entry.name, offset: entry.localHeaderOffset,
                    reason: "the member is not a .npy array (an .npz holds only <name>.npy members)")
            }
            let name = String(entry.name.dropLast(4))
            if arrays[name] != nil {
                throw .zip(
                    file: file, member: entry.name, offset: entry.localHeaderOffset,
                    reason: "two members are named '\(entry.name)'")
            }
            let contents = try archive.contents(of: entry, limits: limits)
            arrays[name] = try NPY.read(contents, file: file, member: entry.name, limits: limits)
        }
        return arrays
    }

    /// The `.npz` bytes of `arrays`, members in name order; `compressed` deflates them as
    /// `numpy.savez_compressed` does, otherwise they are stored as by `numpy.savez`.
    public static func encode(
        _ arrays: [String: Tensor], compressed: Bool = false, file: String = "<npz>"
    ) throws(DataError) -> Data {
        try encode(arrays, compressed: compressed, forceZip64: false, file: file)
    }

    /// `encode`, with ZIP64 records forced on a small archive (for tests of that path).
    static func encode(
        _ arrays: [String: Tensor], compressed: Bool, forceZip64: Bool, file: String
    ) throws(DataError) -> Data {
        var writer = ZipWriter(forceZip64: forceZip64)
        for name in arrays.keys.sorted() {
            guard let tensor = arrays[name] else { continue }
            try writer.add(name: name + ".npy", contents: NPY.encode(tensor), deflate: compressed, file: file)
        }
        return writer.finished()
    }

    /// Writes `arrays` to `url` atomically (a temporary file in the same folder, then rename), so
    /// a reader sees the old file or the new one, never a partial one.
    public static func write(_ arrays: [String: Tensor], to url: URL, compressed: Bool = false) throws(DataError) {
        try DataFile.writeAtomically(encode(arrays, compressed: compressed, file: url.path), to: url)
    }
}
