import Foundation
import TestSupport
import Testing

@testable import ModelRuntime

/// `Dataset`: choosing the reader by name or content, naming arrays, and the checks every
/// dataset passes (a shared first dimension, no NaN or Inf).
@Suite struct DatasetDataIOTests {
    @Test(arguments: [
        ("train.npz", Dataset.FileKind.npz), ("x.NPY", .npy), ("iris.csv", .csv), ("iris.csv.gz", .csv),
        ("train-images-idx3-ubyte", .idx), ("t10k-labels-idx1-ubyte.gz", .idx), ("digits.idx", .idx),
        ("digits.idx.gz", .idx),
    ])
    func kindFromTheName(_ name: String, _ kind: Dataset.FileKind) {
        #expect(Dataset.kind(ofName: name) == kind)
    }

    @Test(arguments: ["data.bin", "archive", "csv", "notes.txt.gz"])
    func namesThatSayNothing(_ name: String) {
        #expect(Dataset.kind(ofName: name) == nil)
    }

    /// Each fixture, the arrays it gives (name → shape) and the sample count.
    @Test(arguments: [
        ("savez.npz", ["x": [3, 4], "label": [3]], 3),
        ("savez_compressed.npz", ["x": [3, 4], "label": [3]], 3),
        ("f4_3x4.npy", ["x": [3, 4]], 3),
        ("with_header.csv", ["x": [5, 3], "label": [5]], 5),
        ("with_header.csv.gz", ["x": [5, 3], "label": [5]], 5),
        ("images-idx3-ubyte.gz", ["x": [3, 4, 5]], 3),
        ("labels-idx1-ubyte", ["x": [3]], 3),
    ])
    func loadsEachKind(_ file: String, _ shapes: [String: [Int]], _ count: Int) throws {
        let dataset = try Dataset(contentsOf: DataFixture.url(file))
        #expect(dataset.arrays.mapValues(\.shape) == shapes)
        #expect(dataset.count == count)
    }

    @Test func namesTheCSVArraysAsAsked() throws {
        let dataset = try Dataset(
            contentsOf: DataFixture.url("label_first.csv"), labelColumn: "species", featureName: "features",
            labelName: "species")
        #expect(dataset.arrays.mapValues(\.shape) == ["features": [4, 2], "species": [4]])
        #expect(dataset.arrays["species"]?.elementType == .int64)
    }

    /// Files whose names say nothing are recognised by their first bytes (gzip first inflated).
    @Test(arguments: [("savez.npz", ["label", "x"]), ("images-idx3-ubyte.gz", ["x"]), ("f4_3x4.npy", ["x"])])
    func sniffsTheContentWhenTheNameSaysNothing(_ fixture: String, _ names: [String]) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("mystery.bin")
        try DataFixture.data(fixture).write(to: url)
        #expect(try Dataset(contentsOf: url).arrays.keys.sorted() == names)
    }

    /// Any kind may be gzipped, compressed here by the system's gzip (not our zlib wrapper).
    @Test(arguments: [("savez.npz", "archive.npz.gz", ["label", "x"]), ("f4_3x4.npy", "array.npy.gz", ["x"])])
    func loadsGzippedFilesOfAnyKind(_ fixture: String, _ name: String, _ arrays: [String]) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let gzip = Process()
        gzip.executableURL = URL(fileURLWithPath: "/bin/gzip")
        gzip.arguments = ["-c", DataFixture.url(fixture).path]
        let output = Pipe()
        gzip.standardOutput = output
        try gzip.run()
        let compressed = output.fileHandleForReading.readDataToEndOfFile()
        gzip.waitUntilExit()
        #expect(gzip.terminationStatus == 0 && compressed.starts(with: [0x1F, 0x8B]))
        let url = directory.appendingPathComponent(name)
        try compressed.write(to: url)
        #expect(try Dataset(contentsOf: url).arrays.keys.sorted() == arrays)
    }

    @Test func unknownContentIsAnError() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("notes.txt")
        try Data("hello".utf8).write(to: url)
        let error = try #require(throws: DataError.self) { try Dataset(contentsOf: url) }
        #expect(error.code == "data.unknown-format")
        #expect(error.file == url.path)
    }

    struct ValidationCase: Sendable, CustomTestStringConvertible {
        var name: String
        var arrays: [String: Tensor]
        var code: String
        var message: String
        var testDescription: String { name }
    }

    static let validationCases: [ValidationCase] = [
        ValidationCase(
            name: "first dims differ",
            arrays: ["x": Tensor(zeros: [3, 2]), "label": Tensor(zeros: [4], type: .int64)],
            code: "data.shape-mismatch", message: "'label' is [4], 'x' is [3, 2]"),
        ValidationCase(
            name: "scalar", arrays: ["x": Tensor(zeros: [3, 2]), "s": Tensor(zeros: [])],
            code: "data.scalar-array", message: "array 's' is a scalar"),
        ValidationCase(name: "no arrays", arrays: [:], code: "data.empty", message: "no arrays"),
        ValidationCase(
            name: "NaN", arrays: ["x": makeTensor([2, 3], .float32, [0, 1, 2, 3, 4, .nan])],
            code: "data.non-finite", message: "array 'x' holds nan at index [1, 2]"),
        ValidationCase(
            name: "+Inf", arrays: ["x": makeTensor([4], .float32, [0, .infinity, .nan, 1])],
            code: "data.non-finite", message: "array 'x' holds inf at index [1]"),
        ValidationCase(
            name: "-Inf", arrays: ["y": makeTensor([1, 2, 2], .float32, [0, 0, 0, -.infinity])],
            code: "data.non-finite", message: "array 'y' holds -inf at index [0, 1, 1]"),
    ]

    @Test(arguments: validationCases)
    func validatesArrays(_ testCase: ValidationCase) throws {
        let error = try #require(throws: DataError.self) { try Dataset(arrays: testCase.arrays, file: "d.npz") }
        #expect(error.code == testCase.code)
        #expect(error.description.hasPrefix("d.npz: "), "\(error)")
        #expect(error.description.contains(testCase.message), "\(error)")
    }

    @Test func checksFilesAfterReadingThem() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let csv = directory.appendingPathComponent("nan.csv")
        try Data("1,2,0\n3,nan,1\n".utf8).write(to: csv)
        let nan = try #require(throws: DataError.self) { try Dataset(contentsOf: csv) }
        #expect(nan == .nonFinite(file: csv.path, array: "x", index: [1, 1], value: "nan"))

        let npz = directory.appendingPathComponent("mismatch.npz")
        try NPZ.write(["x": Tensor(zeros: [3, 2]), "label": Tensor(zeros: [2], type: .int64)], to: npz)
        let mismatch = try #require(throws: DataError.self) { try Dataset(contentsOf: npz) }
        #expect(mismatch == .shapeMismatch(file: npz.path, array: "label", shape: [2], other: "x", otherShape: [3, 2]))
    }

    @Test func integerArraysAreNotCheckedForNaN() throws {
        let dataset = try Dataset(arrays: ["x": makeTensor([2], .int32, [1, 2]), "m": makeTensor([2], .bool, [1, 0])])
        #expect(dataset.count == 2)
    }

    @Test func featureAndLabelNamesMustDiffer() throws {
        let error = try #require(throws: DataError.self) {
            try Dataset(contentsOf: DataFixture.url("with_header.csv"), featureName: "v", labelName: "v")
        }
        #expect(error.code == "data.label-column")
    }
}
