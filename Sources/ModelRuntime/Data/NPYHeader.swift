import Foundation

/// The header of a `.npy` file: magic, version, and the Python dict literal
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }` (numpy `lib.format`).
struct NPYHeader: Equatable {
    /// The numpy type string, such as `<f4`.
    var descr: String
    /// Whether the data is in column-major order.
    var fortranOrder: Bool
    /// The array's dimensions (empty for a 0-d array).
    var shape: [Int]
    /// Where the array data starts, from the start of the file.
    var dataOffset: Int

    /// The magic string every `.npy` file starts with.
    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Parses the magic, version (1.0, 2.0 or 3.0) and header dict of `data`.
    static func parse(_ data: Data, file: String, member: String?) throws(DataError) -> NPYHeader {
        var reader = ByteReader(data, file: file, member: member)
        let prefix = try reader.bytes(6, for: ".npy magic")
        guard prefix.elementsEqual(magic) else {
            throw .npyHeader(file: file, member: member, reason: "missing the \\x93NUMPY magic: not a .npy file")
        }
        let major = try reader.littleEndian(1, for: ".npy version")
        let minor = try reader.littleEndian(1, for: ".npy version")
        let headerLength: Int
        switch (major, minor) {
        case (1, 0): headerLength = Int(try reader.littleEndian(2, for: ".npy header length"))
        case (2, 0), (3, 0): headerLength = Int(try reader.littleEndian(4, for: ".npy header length"))
        default:
            throw .npyHeader(
                file: file, member: member, reason: "format version \(major).\(minor) is not 1.0, 2.0 or 3.0")
        }
        let headerBytes = try reader.bytes(headerLength, for: ".npy header")
        // Versions 1 and 2 are latin-1; 3 is UTF-8. The keys and values we accept are ASCII either way.
        let text =
            major == 3
            ? String(decoding: headerBytes, as: UTF8.self)
            : String(String.UnicodeScalarView(headerBytes.map { Unicode.Scalar($0) }))
        var parser = PythonLiteralParser(text: text)
        let value: PythonLiteral
        do {
            value = try parser.parseDocument()
        } catch {
            throw .npyHeader(file: file, member: member, reason: "\(error.reason) in header \(quoted(text))")
        }
        guard case .dict(let entries) = value else {
            throw .npyHeader(file: file, member: member, reason: "the header is not a dict: \(quoted(text))")
        }
        let keys = Set(entries.map(\.key))
        guard keys == ["descr", "fortran_order", "shape"], entries.count == 3 else {
            throw .npyHeader(
                file: file, member: member,
                reason: "the header keys are \(entries.map(\.key)), not descr, fortran_order and shape")
        }
        let fields = Dictionary(entries.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
        let descr: String
        switch fields["descr"] {
        case .string(let string): descr = string
        case .list(let fields):
            throw .unsupportedDType(
                file: file, member: member, dtype: PythonLiteral.list(fields).description,
                reason: "structured (record) dtypes are not read")
        default: throw .npyHeader(file: file, member: member, reason: "'descr' is not a string")
        }
        guard case .bool(let fortranOrder) = fields["fortran_order"] else {
            throw .npyHeader(file: file, member: member, reason: "'fortran_order' is not True or False")
        }
        guard case .tuple(let items) = fields["shape"] else {
            throw .npyHeader(file: file, member: member, reason: "'shape' is not a tuple")
        }
        var shape: [Int] = []
        for item in items {
            guard case .int(let dim) = item, dim >= 0 else {
                throw .npyHeader(file: file, member: member, reason: "'shape' holds \(item), not a count ≥ 0")
            }
            shape.append(dim)
        }
        return NPYHeader(descr: descr, fortranOrder: fortranOrder, shape: shape, dataOffset: reader.offset)
    }

    /// The header bytes numpy writes for version 1.0: magic, version, length, dict padded with
    /// spaces and ended by a newline so the data starts at a multiple of 64 bytes.
    static func encode(descr: String, shape: [Int]) -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        let dict = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shapeText), }"
        // Version 1.0 stores the length in 16 bits; a longer dict (rank in the thousands) needs 2.0.
        let fitsVersion1 = (10 + dict.utf8.count + 1 + 63) / 64 * 64 - 10 <= 0xFFFF
        let prefixLength = fitsVersion1 ? 10 : 12
        let unpadded = prefixLength + dict.utf8.count + 1
        let total = (unpadded + 63) / 64 * 64
        let header = dict + String(repeating: " ", count: total - unpadded) + "\n"
        var data = Data(magic)
        let length = header.utf8.count
        if prefixLength == 10 {
            data.append(contentsOf: [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)])
        } else {
            data.append(contentsOf: [2, 0] + (0..<4).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
        }
        data.append(contentsOf: Array(header.utf8))
        return data
    }
}

/// At most 200 characters of header text, quoted, for messages.
private func quoted(_ text: String) -> String {
    let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
    return "\"" + (trimmed.count > 200 ? String(trimmed.prefix(200)) + "…" : trimmed) + "\""
}
