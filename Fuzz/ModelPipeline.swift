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
        let feeds = try? Benchmark.inputs(for: session, batchSize: 2),
        feeds.values.allSatisfy({ $0.shape.reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue } < 1 << 20 })
    else { return 0 }
    _ = try? session.run(feeds)
    return 0
}
