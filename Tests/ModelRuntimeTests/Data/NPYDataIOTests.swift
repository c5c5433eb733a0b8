import Foundation
import TestSupport
import Testing

@testable import ModelRuntime

/// `.npy` reading against numpy's own files (`make_data_fixtures.py`; expected values restate
/// its formulas), writing checked byte-for-byte against numpy's headers, and rejected inputs.
@Suite struct NPYDataIOTests {
    /// A numpy-written fixture and the tensor it must read as.
    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var expected: Tensor
        var testDescription: String { file }
        init(_ file: String, _ shape: [Int], _ type: ElementType, _ values: [Double]) {
            self.file = file
            expected = makeTensor(shape, type, values)
        }
    }

    static let f4by3x4 = formula(12) { ($0 - 5) / 4 }

    static let cases: [Case] = [
        Case("f4_3x4.npy", [3, 4], .float32, f4by3x4),
        Case("v2_f4_3x4.npy", [3, 4], .float32, f4by3x4),
        Case("v3_f4_3x4.npy", [3, 4], .float32, f4by3x4),
        Case("f8_2x3.npy", [2, 3], .float32, formula(6) { $0 * 0.1 }),
        Case("f2_4.npy", [4], .float32, [0.5, -1.25, 2048, 65504]),
        Case("i8_5.npy", [5], .int64, formula(5) { $0 * 1e12 - 7 }),
        Case("i4_2x2.npy", [2, 2], .int32, [-2_147_483_648, -1, 0, 2_147_483_647]),
        Case("i2_3.npy", [3], .int32, [-32768, 0, 32767]),
        Case("u2_2.npy", [2], .int32, [0, 65535]),
        Case("i1_4.npy", [4], .int32, [-128, -1, 0, 127]),
        Case("u4_2.npy", [2], .int64, [0, 4_294_967_295]),
        Case("u1_2x3x4.npy", [2, 3, 4], .uint8, formula(24) { ($0 * 10).truncatingRemainder(dividingBy: 256) }),
        Case("b1_5.npy", [5], .bool, [1, 0, 1, 1, 0]),
        Case("scalar_f4.npy", [], .float32, [3.5]),
        Case("empty_0x3.npy", [0, 3], .float32, []),
    ]

    @Test(arguments: cases)
    func readsNumpyFiles(_ testCase: Case) throws {
        let tensor = try NPY.read(DataFixture.url(testCase.file))
        #expect(tensor == testCase.expected, "\(tensor.scalars)")
    }

    /// numpy's header for these is the minimal dict padded to 128 bytes, as ours is, so the files match exactly.
    @Test(arguments: [
        "f4_3x4.npy", "i8_5.npy", "u1_2x3x4.npy", "b1_5.npy", "i4_2x2.npy", "scalar_f4.npy",
        "empty_0x3.npy",
    ])
    func encodeMatchesNumpyByteForByte(_ file: String) throws {
        let original = try DataFixture.data(file)
        #expect(NPY.encode(try NPY.read(original, file: file)) == original)
    }

    static let roundTripShapes: [[Int]] = [[], [0], [1], [7], [2, 3], [0, 4], [1, 1, 1, 5], [2, 3, 4, 2]]

    @Test(arguments: ElementType.allCases, roundTripShapes)
    func roundTrips(_ type: ElementType, _ shape: [Int]) throws {
        let count = shape.reduce(1, *)
        let values = formula(count) { index in
            switch type {
            case .bool: index.truncatingRemainder(dividingBy: 2)
            case .uint8: (index * 3).truncatingRemainder(dividingBy: 256)
            default: index * 3 - 4
            }
        }
        let tensor = makeTensor(shape, type, values)
        let encoded = NPY.encode(tensor)
        let headerLength = Int(encoded[8]) | Int(encoded[9]) << 8
        #expect(encoded.prefix(8) == Data([0x93] + Array("NUMPY".utf8) + [1, 0]))
        #expect((10 + headerLength) % 64 == 0, "the data starts on a 64-byte boundary")
        #expect(encoded[10 + headerLength - 1] == 0x0A, "the header ends with a newline")
        #expect(try NPY.read(encoded, file: "roundtrip.npy") == tensor)
    }

    @Test func writesAtomicallyAndReadsBack() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("x.npy")
        let tensor = makeTensor([2, 2], .int64, [1, -2, 3, -4])
        try NPY.write(tensor, to: url)
        try NPY.write(tensor, to: url)  // replacing an existing file
        #expect(try NPY.read(url) == tensor)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["x.npy"])
    }

    static let f4 = { @Sendable () throws -> Data in try DataFixture.data("f4_3x4.npy") }
    static let validDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }"
    static let eightBytes = Data(count: 8)

    static let badInputs: [BadInput] = [
        BadInput("fortran order", "data.fortran-order", "array [2, 3] is stored in Fortran order") {
            try DataFixture.data("fortran_2x3.npy")
        },
        BadInput("object array", "data.object-array", "object arrays (dtype |O)") {
            try DataFixture.data("object.npy")
        },
        BadInput("big-endian", "data.unsupported-dtype", "'>f4' is not supported: big-endian") {
            try DataFixture.data("big_endian_f4.npy")
        },
        BadInput("unicode", "data.unsupported-dtype", "'<U2' is not supported") { try DataFixture.data("unicode.npy") },
        BadInput("structured", "data.unsupported-dtype", "structured") { try DataFixture.data("structured.npy") },
        BadInput("data cut short", "data.truncated", "needs 48 bytes at offset 128, but only 45 remain") {
            try f4().dropLast(3)
        },
        BadInput("header cut short", "data.truncated", "truncated .npy header") { try f4().prefix(40) },
        BadInput("bytes after the data", "data.trailing-bytes", "2 unexpected bytes") { try f4() + Data([1, 2]) },
        BadInput("no magic", "data.npy-header", "missing the \\x93NUMPY magic") { Data("not numpy at all".utf8) },
        BadInput("version 4.0", "data.npy-header", "format version 4.0") { try patched(f4(), at: 6, to: 4) },
        BadInput("unclosed tuple", "data.npy-header", "unexpected '}'") {
            npyBytes(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (2, }", payload: eightBytes)
        },
        BadInput("missing key", "data.npy-header", "not descr, fortran_order and shape") {
            npyBytes(dict: "{'descr': '<f4', 'shape': (2,), }", payload: eightBytes)
        },
        BadInput("extra key", "data.npy-header", "not descr, fortran_order and shape") {
            npyBytes(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", payload: eightBytes)
        },
        BadInput("negative dim", "data.npy-header", "not a count ≥ 0") {
            npyBytes(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }", payload: eightBytes)
        },
        BadInput("shape not a tuple", "data.npy-header", "'shape' is not a tuple") {
            npyBytes(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': [2], }", payload: eightBytes)
        },
        BadInput("fortran_order not a bool", "data.npy-header", "'fortran_order' is not True or False") {
            npyBytes(dict: "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", payload: eightBytes)
        },
        BadInput("unknown dtype", "data.unsupported-dtype", "'<c8' is not supported") {
            npyBytes(dict: "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", payload: eightBytes)
        },
        BadInput("dim overflow", "data.limit-exceeded", "over Int.max") {
            npyBytes(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296), }")
        },
        BadInput("huge array", "data.limit-exceeded", "size of array [1099511627776]") {
            npyBytes(dict: "{'descr': '|u1', 'fortran_order': False, 'shape': (1099511627776,), }")
        },
        BadInput("integer overflow", "data.npy-header", "an integer is too large") {
            npyBytes(dict: "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }")
        },
        BadInput("deep nesting", "data.npy-header", "nested deeper than 32") {
            npyBytes(dict: String(repeating: "(", count: 5000))
        },
        BadInput("header not a dict", "data.npy-header", "the header is not a dict") { npyBytes(dict: "[1, 2]") },
        BadInput("validDict with short data", "data.truncated", "needs 8 bytes") {
            npyBytes(dict: validDict, payload: Data(count: 5))
        },
    ]

    @Test(arguments: badInputs)
    func rejectsBadInput(_ input: BadInput) throws {
        try input.check { data throws(DataError) in _ = try NPY.read(data, file: "/data/\(input.name).npy") }
    }

    @Test func errorsNameTheFile() throws {
        let error = try #require(throws: DataError.self) { try NPY.read(DataFixture.url("object.npy")) }
        #expect(error.file == DataFixture.url("object.npy").path)
        #expect(error.description.hasPrefix(DataFixture.url("object.npy").path + ": "))
        let missing = try #require(throws: DataError.self) { try NPY.read(URL(fileURLWithPath: "/nonexistent.npy")) }
        #expect(missing.code == "data.unreadable")
    }
}
