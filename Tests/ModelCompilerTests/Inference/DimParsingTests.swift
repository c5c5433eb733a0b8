import Testing

@testable import ModelCompiler

/// Product dims as exporters spell them: ours writes `N*4`, PyTorch's dynamo exporter `4*N`.
@Suite struct DimParsingTests {
    @Test(arguments: [
        ("batch*12", Dim.product(12, "batch")), ("12*batch", .product(12, "batch")), ("12 * batch", .product(12, "batch")),
        ("batch", .symbol("batch")), ("2*3", .symbol("2*3")), ("a*b", .symbol("a*b")), ("1*batch", .symbol("1*batch")),
    ])
    func parsesBothSpellingsOfAProduct(param: String, expected: Dim) {
        #expect(Dim(parsing: param) == expected)
    }
}
