import Foundation
import ModelRuntime
import TestSupport
import Testing

@Suite struct ModelrunTests {
    let modelrun = ToolRunner("modelrun")
    let example = "examples/digits/mlp.pbtxt"

    private func writeInput(_ shape: [Int], in directory: URL, name: String = "x.npy") throws -> String {
        let url = directory.appendingPathComponent(name)
        try NPY.write(Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0 % 17) }), to: url)
        return url.path
    }

    @Test func decodePrintsOneJSONObjectPerSample() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try writeInput([3, 64], in: directory)
        let result = try modelrun.run(["infer", example, "--input", "x=\(input)", "--decode"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 3)
        for line in lines {
            let object = try #require(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let digit = try #require(object["digit"] as? [String: Any])
            let labels = try #require(digit["labels"] as? [Int])
            #expect(labels.count == 1 && (0..<10).contains(labels[0]))
            #expect((digit["names"] as? [String]) == [String(labels[0])])
        }
    }

    @Test func writesOutputsToNPZ() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try writeInput([2, 64], in: directory)
        let output = directory.appendingPathComponent("out.npz")
        let result = try modelrun.run([
            "infer", example, "--input", "x=\(input)", "--fetch", "hidden_relu", "--output", output.path,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let arrays = try NPZ.read(output)
        #expect(arrays["hidden_relu"]?.shape == [2, 32])
    }

    @Test(arguments: [
        (["--input", "y=INPUT"], "input 'y' is not an input of the graph"),
        (["--input", "x=WIDE"], "expected shape [N,64], given [2,65]"),
        (["--input", "x=/nonexistent.npy"], "data.unreadable"),
    ])
    func badInputsExitOneNamingTheInput(arguments: [String], message: String) throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let input = try writeInput([2, 64], in: directory)
        let wide = try writeInput([2, 65], in: directory, name: "wide.npy")
        let resolved = arguments.map {
            $0.replacingOccurrences(of: "INPUT", with: input).replacingOccurrences(of: "WIDE", with: wide)
        }
        let result = try modelrun.run(["infer", example] + resolved)
        #expect(result.status == 1)
        #expect(!result.signalled)
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func benchReportsLatencyAsJSON() throws {
        let result = try modelrun.run(["bench", example, "--batch-size", "8", "--runs", "3", "--warmup", "1", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["batchSize"] as? Int == 8)
        let median = try #require(json["medianMilliseconds"] as? Double)
        #expect(median > 0)
    }
}
