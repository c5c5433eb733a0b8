import Testing

@testable import ModelCompiler

@Suite struct OpRegistryTests {
    @Test func everyOpTypeHasExactlyOneSchema() {
        let declared = OpRegistry.all.map(\.type)
        #expect(declared.count == Set(declared).count)
        #expect(Set(declared) == Set(OpType.allCases))
    }

    @Test func registryIsAlphabetical() {
        let names = OpRegistry.all.map(\.type.rawValue)
        #expect(names == names.sorted())
        #expect(OpType.allCases.map(\.rawValue) == OpType.allCases.map(\.rawValue).sorted())
    }

    @Test func lookupRespectsDomains() {
        #expect(OpRegistry.schema(opType: "Gemm", domain: "")?.type == .gemm)
        #expect(OpRegistry.schema(opType: "Gemm", domain: "ai.onnx")?.type == .gemm)
        #expect(OpRegistry.schema(opType: "Gemm", domain: "com.example") == nil)
        #expect(OpRegistry.schema(opType: "FusedGemm", domain: "") == nil)
        #expect(OpRegistry.schema(opType: "FusedGemm", domain: OpDomain.ours)?.type == .fusedGemm)
        #expect(OpRegistry.schema(opType: "gemm", domain: "") == nil)
    }

    /// Arity and defaults as the ONNX operator documents state them (opset 17).
    @Test func schemasFollowONNX() throws {
        let gemm = try #require(OpRegistry.schema(.gemm))
        #expect(gemm.inputArity.min == 2 && gemm.inputArity.max == 3)
        #expect(gemm.attribute(named: "transB")?.kind == .int)
        #expect(gemm.attribute(named: "alpha")?.defaultText == "1.0")
        let concat = try #require(OpRegistry.schema(.concat))
        #expect(concat.inputArity.max == nil)
        #expect(concat.attribute(named: "axis")?.isRequired == true)
        let maxPool = try #require(OpRegistry.schema(.maxPool))
        #expect(maxPool.outputArity.min == 1 && maxPool.outputArity.max == 2)
        #expect(maxPool.attribute(named: "kernel_shape")?.isRequired == true)
    }
}
