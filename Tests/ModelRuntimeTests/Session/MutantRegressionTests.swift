import Foundation
import ModelCompiler
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// Mutants that crashed a tool in `scripts/mutation_sweep.py` or `scripts/fuzz.sh`, kept in
/// Tests/ModelFormatTests/Fixtures/mutants/ (its README says where each came from). Each goes
/// through the path of `modelrun bench`: read, check, compile, session, generated inputs, one run;
/// it must stop at the stage and with the code listed here, never trap.
@Suite struct MutantRegressionTests {
    static let folder = "Tests/ModelFormatTests/Fixtures/mutants"

    /// Mutant file → the code of the typed error that stops it.
    static let expectedCodes: [String: String] = [
        // Input [N, 3, 8, 2^31]: per sample 206 GB, which `check` cannot bound (N is symbolic).
        "bench_input_over_limit.onnx": "runtime.input"
    ]

    @Test(arguments: expectedCodes.keys.sorted())
    func mutantStopsWithATypedError(file: String) {
        let code = Self.firstErrorCode(SourceTree.url("\(Self.folder)/\(file)"))
        #expect(code == Self.expectedCodes[file], "\(file)")
    }

    @Test func everyMutantIsListed() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: SourceTree.url(Self.folder).path)
            .filter { $0 != "README.md" }
        #expect(Set(files) == Set(Self.expectedCodes.keys))
    }

    /// The code of the first error on the `bench` path, or nil when the model runs.
    static func firstErrorCode(_ url: URL) -> String? {
        let model: ProtoModel
        do {
            model = try ProtoModel(contentsOf: url)
        } catch {
            return error.code
        }
        if let error = ModelCheck.run(model, file: url).first(where: { $0.severity == .error }) { return error.code }
        let compiled: CompiledModel
        do {
            compiled = try Compiler().compile(model, file: url)
        } catch {
            return error.diagnostics.first?.code
        }
        do {
            let session = try InferenceSession(compiled)
            _ = try session.run(try Benchmark.inputs(for: session, batchSize: 1))
        } catch {
            return error.code
        }
        return nil
    }
}
