import Foundation
import ModelCompiler
import ModelFormat

/// Latency and throughput of `InferenceSession.run` at one batch size.
public struct BenchmarkResult: Codable, Sendable {
    public var batchSize: Int
    public var threads: Int
    public var runs: Int
    public var minMilliseconds: Double
    public var medianMilliseconds: Double
    public var maxMilliseconds: Double
    /// Samples per second at the median latency.
    public var samplesPerSecond: Double
}

/// Times a session on generated inputs: `warmup` untimed runs (they build the plan and the
/// arena), then `runs` timed ones.
public enum Benchmark {
    /// Inputs of the declared shapes with symbolic dims set to `batchSize`, filled with a
    /// fixed pattern (zeros for integer inputs, which are indices).
    public static func inputs(for session: InferenceSession, batchSize: Int) throws(RuntimeError) -> [String: Tensor] {
        var feeds: [String: Tensor] = [:]
        for (name, type) in session.inputs {
            guard let dims = type.dims else {
                throw .input(name: name, reason: "the model does not declare this input's shape; bench needs it")
            }
            let shape = dims.map { $0.fixedValue ?? batchSize }
            guard let elementType = ElementType(type.dataType) else {
                throw .input(name: name, reason: "\(type.dataType.onnxName) inputs are not supported")
            }
            // `check` bounds fully known shapes only; with the batch substituted, the input is
            // bounded here like any tensor (a [N, 3, 8, 2^31] input asked for 206 GB and aborted).
            let limit = FormatLimits.default.maxTensorBytes
            guard let count = Shape.checkedElementCount(shape),
                let bytes = Shape.checkedByteCount(shape, elementSize: elementType.byteSize), bytes <= limit
            else {
                throw .input(
                    name: name,
                    reason: "the generated input \(shape) at batch size \(batchSize) would pass the tensor limit "
                        + "of \(limit) bytes")
            }
            if elementType == .float32 {
                feeds[name] = Tensor(shape: shape, scalars: (0..<count).map { Float(($0 * 7919) % 1000) / 1000 - 0.5 })
            } else {
                feeds[name] = Tensor(zeros: shape, type: elementType)
            }
        }
        return feeds
    }

    /// Runs the benchmark.
    public static func run(
        _ session: InferenceSession, batchSize: Int, warmup: Int = 5, runs: Int = 50
    ) throws(RuntimeError) -> BenchmarkResult {
        let feeds = try inputs(for: session, batchSize: batchSize)
        // Results are reused across runs, as a serving loop would, so timed runs allocate nothing.
        var results: [String: Tensor] = [:]
        for _ in 0..<max(warmup, 1) { try session.run(feeds, into: &results) }
        var times: [Double] = []
        times.reserveCapacity(runs)
        for _ in 0..<max(runs, 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            try session.run(feeds, into: &results)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        sortInPlace(&times)
        let median = times[times.count / 2]
        return BenchmarkResult(
            batchSize: batchSize, threads: session.threads, runs: times.count, minMilliseconds: times[0],
            medianMilliseconds: median, maxMilliseconds: times[times.count - 1],
            samplesPerSecond: Double(batchSize) / (median / 1000))
    }

    /// Insertion sort: the standard library's sort allocates per call, which would show up in
    /// the allocation counts `bench/allocations.sh` attributes to runs.
    private static func sortInPlace(_ values: inout [Double]) {
        guard values.count > 1 else { return }
        for index in 1..<values.count {
            let value = values[index]
            var position = index
            while position > 0 && values[position - 1] > value {
                values[position] = values[position - 1]
                position -= 1
            }
            values[position] = value
        }
    }
}
