// libFuzzer target: the whole path of `modelrun bench` on one batch: bytes (any of the three formats,
// sniffed) -> check -> compile -O2 -> plan -> run (scripts/fuzz.sh builds and runs it). Every stage
// must either pass or throw its typed error; the crashes of issue 13 lived here.
import Foundation
import ModelCompiler
import ModelFormat
import ModelRuntime

/// Small bounds keep one input within libFuzzer's memory limit: a model may legitimately ask
/// for gigabytes, which says nothing about its robustness.
private let limits: FormatLimits = {
    var limits = FormatLimits.default
    limits.maxTensorBytes = 16 << 20
    return limits
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzModelPipeline(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(bytes: start, count: count)
    let format = ModelFileFormat.sniff(bytes)
    guard let model = try? ProtoModel(serialized: bytes, format: format, fileName: "fuzz", limits: limits),
        !ModelCheck.run(model, limits: limits).hasErrors,
        let compiled = try? Compiler(options: .init(optimization: .O2, limits: limits)).compile(model),
        let session = try? InferenceSession(compiled),
        inputsAreSmall(session, batchSize: 2),
        let feeds = try? Benchmark.inputs(for: session, batchSize: 2)
    else { return 0 }
    _ = try? session.run(feeds)
    return 0
}

/// Whether the generated inputs stay within the small limit. An overflowing size counts as
/// small: `Benchmark.inputs` must refuse it with a typed error, which is worth fuzzing.
private func inputsAreSmall(_ session: InferenceSession, batchSize: Int) -> Bool {
    session.inputs.allSatisfy { input in
        guard let dims = input.type.dims else { return true }
        let bytes = Shape.checkedByteCount(dims.map { $0.fixedValue ?? batchSize }, elementSize: 8)
        return bytes.map { $0 <= limits.maxTensorBytes } ?? true
    }
}
