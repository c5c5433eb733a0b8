import Foundation
import ModelRuntime
import TestSupport
import Testing

/// `modelrun train` and `modelrun eval` as a user runs them: the digits example end to end,
/// and bad data files that must exit 1 with a message naming the array and sample.
@Suite struct TrainingCLITests {
    let modelrun = ToolRunner("modelrun")
    let example = "examples/digits/mlp.pbtxt"
    let data = "examples/digits/digits.csv.gz"

    @Test func trainThenEvalAndInfer() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let trained = directory.appendingPathComponent("trained.model").path
        let train = try modelrun.run(["train", example, "--data", data, "--epochs", "3", "-o", trained, "--json"])
        #expect(train.status == 0, "\(train.stderr)")
        let document = try #require(JSONSerialization.jsonObject(with: Data(train.stdout.utf8)) as? [String: Any])
        let metrics = try #require(document["metrics"] as? [String: Double])
        let baselines = try #require(document["baselines"] as? [String: Double])
        // Three epochs of the 64-32-10 MLP already beat the majority class by far.
        #expect(try #require(metrics["accuracy"]) > 0.5)
        #expect(try #require(baselines["accuracy"]) < 0.2)
        #expect(metrics["f1_macro"] != nil)
        #expect((document["epochs"] as? [Any])?.count == 3)

        let eval = try modelrun.run(["eval", trained, "--data", data, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let evaluated = try #require(JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        #expect((evaluated["samples"] as? Int) == 1797)
        #expect(((evaluated["loss"] as? Double) ?? .nan).isFinite)

        let infer = try modelrun.run(["infer", trained, "--input", "x=examples/digits/samples.csv", "--decode"])
        #expect(infer.status == 0, "\(infer.stderr)")
        #expect(infer.stdout.split(separator: "\n").count == 5)
    }

    @Test func labelOutOfRangeNamesTheSample() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("bad.npz")
        var labels = [Int64](repeating: 1, count: 20)
        labels[13] = 12
        try NPZ.write(
            [
                "x": Tensor(shape: [20, 64], scalars: [Float](repeating: 1, count: 20 * 64)),
                "label": Tensor(shape: [20], int64s: labels),
            ],
            to: file)
        let result = try modelrun.run([
            "train", example, "--data", file.path, "-o", directory.appendingPathComponent("m.model").path,
        ])
        #expect(result.status == 1)
        #expect(!result.signalled)
        #expect(
            result.stderr.contains("\(file.path): array 'label': head 'digit' (ONE_HOT): sample 13: label 12 is outside "
                + "the allowed range 0..<10"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("m.model").path))
    }

    @Test func missingTargetArrayIsNamed() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("features.npz")
        try NPZ.write(["x": Tensor(shape: [4, 64], scalars: [Float](repeating: 1, count: 4 * 64))], to: file)
        let result = try modelrun.run(["eval", example, "--data", file.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("train.missing-array") && result.stderr.contains("'label'"), "\(result.stderr)")
    }

    @Test func wrongFeatureWidthIsNamed() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("wide.npz")
        try NPZ.write(
            [
                "x": Tensor(shape: [4, 65], scalars: [Float](repeating: 1, count: 4 * 65)),
                "label": Tensor(shape: [4], int64s: [0, 1, 2, 3]),
            ],
            to: file)
        let result = try modelrun.run([
            "train", example, "--data", file.path, "-o", directory.appendingPathComponent("m.model").path,
        ])
        #expect(result.status == 1)
        #expect(result.stderr.contains("train.array-shape") && result.stderr.contains("[65]"), "\(result.stderr)")
    }

    @Test func compileForTrainingWritesTheTrainingGraph() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("train.pbtxt")
        let result = try ToolRunner("modelc").run(["compile", example, "--for", "training", "-o", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let text = try String(contentsOf: output, encoding: .utf8)
        // Forward, the lowered loss, its gradient and one update per trained weight.
        #expect(text.contains("op_type: \"HeadLoss\"") && text.contains("op_type: \"HeadLossGrad\""))
        #expect(text.components(separatedBy: "op_type: \"OptimizerStep\"").count - 1 == 4)
        #expect(result.stderr.contains("4 trained weights"), "\(result.stderr)")
    }

    @Test func sameSeedAndThreadsGiveTheSameWeights() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [Data] = []
        for run in 0..<2 {
            let output = directory.appendingPathComponent("run\(run).model")
            let result = try modelrun.run([
                "train", example, "--data", data, "--epochs", "2", "--seed", "5", "-o", output.path,
            ])
            #expect(result.status == 0, "\(result.stderr)")
            files.append(try Data(contentsOf: output))
        }
        #expect(files[0] == files[1], "two runs with seed 5 wrote different models")
    }

    /// Bad overrides, negative ones included, are parsed as values and refused with the rule
    /// they break (exit 2), not taken for flags ("Missing value") or replaced by a default.
    @Test(arguments: [
        (["--learning-rate", "-1"], "--learning-rate is -1.0; it must be a finite number greater than 0"),
        (["--learning-rate", "0"], "--learning-rate is 0.0; it must be a finite number greater than 0"),
        (["--learning-rate", "nan"], "--learning-rate is nan; it must be a finite number greater than 0"),
        (["--batch-size", "0"], "--batch-size is 0; it must be at least 1"),
        (["--batch-size", "-3"], "--batch-size is -3; it must be at least 1"),
        (["--epochs", "0"], "--epochs is 0; it must be at least 1"),
    ])
    func badOverridesAreRefused(flags: [String], message: String) throws {
        let result = try modelrun.run(["train", example, "--data", data, "-o", "/tmp/never.model"] + flags)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(!result.stderr.contains("Missing value"), "\(result.stderr)")
    }

    @Test func evalRefusesBatchSizeZero() throws {
        let result = try modelrun.run(["eval", example, "--data", data, "--batch-size", "0"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--batch-size is 0; it must be at least 1"), "\(result.stderr)")
    }

    /// A bad value in the model's training section fails `check` and `train` alike, naming the field.
    @Test func badTrainingSectionFailsCheckAndTrain() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try String(contentsOf: SourceTree.url(example), encoding: .utf8)
        let bad = directory.appendingPathComponent("bad.pbtxt")
        try source.replacingOccurrences(of: "learning_rate: 0.001", with: "learning_rate: nan")
            .write(to: bad, atomically: true, encoding: .utf8)
        let check = try ToolRunner("modelc").run(["check", bad.path])
        #expect(check.status == 1)
        #expect(
            check.stderr.contains("error[training.out-of-range]: field training.optimizer.learning_rate"),
            "\(check.stderr)")
        let output = directory.appendingPathComponent("m.model").path
        let train = try modelrun.run(["train", bad.path, "--data", data, "-o", output])
        #expect(train.status == 1)
        #expect(train.stderr.contains("training.optimizer.learning_rate"), "\(train.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    /// `eval` compiles no gradients: a model whose weights are all frozen evaluates.
    @Test func evalRunsOnAFrozenModel() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try String(contentsOf: SourceTree.url(example), encoding: .utf8)
        let frozen = directory.appendingPathComponent("frozen.pbtxt")
        try source.replacingOccurrences(
            of: #"frozen: "pixel_scale""#,
            with: #"frozen: ["pixel_scale", "fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]"#
        ).write(to: frozen, atomically: true, encoding: .utf8)
        let eval = try modelrun.run(["eval", frozen.path, "--data", data, "--json"])
        #expect(eval.status == 0, "\(eval.stderr)")
        let document = try #require(JSONSerialization.jsonObject(with: Data(eval.stdout.utf8)) as? [String: Any])
        #expect((document["samples"] as? Int) == 1797)
        let train = try modelrun.run(["train", frozen.path, "--data", data, "-o", directory.path + "/m.model"])
        #expect(train.status == 1)
        #expect(train.stderr.contains("train.no-parameters"), "\(train.stderr)")
    }

    /// Head lints show where they matter: `train` prints them before the first epoch, `infer`
    /// leaves out those about the loss (`head.bce-on-exclusive-classes` here).
    @Test func headWarningsInTrainButNotLossWarningsInInfer() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = try String(contentsOf: SourceTree.url(example), encoding: .utf8)
        let bce = directory.appendingPathComponent("bce.pbtxt")
        try source.replacingOccurrences(of: "kind: SOFTMAX_CROSS_ENTROPY", with: "kind: BINARY_CROSS_ENTROPY")
            .write(to: bce, atomically: true, encoding: .utf8)
        let trained = directory.appendingPathComponent("bce.model").path
        let train = try modelrun.run(["train", bce.path, "--data", data, "--epochs", "1", "-o", trained])
        #expect(train.status == 0, "\(train.stderr)")
        let warning = try #require(train.stderr.range(of: "warning[head.bce-on-exclusive-classes]"), "\(train.stderr)")
        let epoch = try #require(train.stderr.range(of: "epoch 1/1"))
        #expect(warning.lowerBound < epoch.lowerBound, "the warning comes before the first epoch")

        let infer = try modelrun.run(["infer", trained, "--input", "x=examples/digits/samples.csv", "--decode"])
        #expect(infer.status == 0, "\(infer.stderr)")
        #expect(!infer.stderr.contains("bce-on-exclusive-classes"), "\(infer.stderr)")
    }

    /// 30 digit-like rows with the label in the first column (pixels 0…16 elsewhere), with or
    /// without a header row.
    func labelFirstCSV(in directory: URL, header: Bool) throws -> String {
        var lines = header ? ["label," + (0..<64).map { "p\($0)" }.joined(separator: ",")] : []
        for row in 0..<30 {
            lines.append("\(row % 10)," + (0..<64).map { "\((row * 7 + $0 * 3) % 17)" }.joined(separator: ","))
        }
        let url = directory.appendingPathComponent(header ? "with-header.csv" : "no-header.csv")
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func labelColumnByIndexByNameAndByHeader() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try labelFirstCSV(in: directory, header: false)
        let headed = try labelFirstCSV(in: directory, header: true)
        let output = directory.appendingPathComponent("m.model").path
        for (file, flags) in [(plain, ["--label-column", "0"]), (plain, ["--label-column", "-65"]),
            (headed, ["--label-column", "label"]), (headed, [])]
        {
            let result = try modelrun.run(["train", example, "--data", file, "--epochs", "1", "-o", output] + flags)
            #expect(result.status == 0, "\(flags): \(result.stderr)")
            let eval = try modelrun.run(["eval", output, "--data", file, "--json"] + flags)
            #expect(eval.status == 0, "\(flags): \(eval.stderr)")
        }
        let infer = try modelrun.run(["infer", output, "--input", "x=\(plain)", "--label-column", "0", "--decode"])
        #expect(infer.status == 0, "\(infer.stderr)")
        #expect(infer.stdout.split(separator: "\n").count == 30)
        let missing = try modelrun.run(["eval", output, "--data", headed, "--label-column", "species"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("'species'") && missing.stderr.contains("'label'"), "\(missing.stderr)")
    }

    /// Without a header or a flag the last column is the label: here a pixel column, whose first
    /// value over 9 is named with its file, line and column.
    @Test func labelErrorNamesFileLineAndColumn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plain = try labelFirstCSV(in: directory, header: false)
        let result = try modelrun.run([
            "train", example, "--data", plain, "-o", directory.appendingPathComponent("m.model").path,
        ])
        #expect(result.status == 1)
        // Row r's last column is (7r + 189) mod 17: 2, 9, 16, … so row 2 (line 3) is the first over 9.
        #expect(
            result.stderr.contains("\(plain): array 'label' (line 3, column 65): head 'digit' (ONE_HOT): sample 2: "
                + "label 16 is outside the allowed range 0..<10"), "\(result.stderr)")
    }

    @Test func resumeNeedsCheckpointFolder() throws {
        let result = try modelrun.run(["train", example, "--data", data, "-o", "/tmp/x.model", "--resume"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("--resume needs --checkpoint DIR"), "\(result.stderr)")
    }
}
