import Foundation
import ModelFormat
import Testing
import TestSupport

@testable import ModelCompiler

@Suite struct CompilerTests {
    @Test func compressionKeepsValuesBitIdentical() throws {
        let plain = try Compiler().compile(makeSmallModel()).model
        let compressed = try Compiler(options: .init(compress: true)).compile(makeSmallModel()).model
        for (a, b) in zip(plain.graph.initializer, compressed.graph.initializer) {
            #expect(b.compression == .shuffleDeflate)
            #expect(try a.floatValues().map(\.bitPattern) == b.floatValues().map(\.bitPattern))
        }
    }

    @Test func compileRecordsTheProducerAndOpset() throws {
        var model = makeSmallModel()
        model.opsetVersion = 0
        let compiled = try Compiler().compile(model).model
        #expect(compiled.producerName == "modelc")
        #expect(compiled.opsetVersion == 17)
    }

    @Test func invalidModelsFailWithAllDiagnostics() {
        var model = makeSmallModel()
        model.graph.node[0].input[1] = "missing"
        model.graph.node[0].attribute[0].name = "nope"
        #expect {
            _ = try Compiler().compile(model)
        } throws: { error in
            guard case .invalidModel(let diagnostics) = error as? CompileError else { return false }
            return diagnostics.filter { $0.severity == .error }.count == 2
        }
    }
}
