import Foundation
import Testing

@testable import ModelFormat

@Suite struct TensorPayloadTests {
    private func tensor(_ dims: [Int64], type: ProtoDataType = .float) -> ProtoTensor {
        var tensor = ProtoTensor()
        tensor.name = "t"
        tensor.dims = dims
        tensor.dataType = type
        return tensor
    }

    private func expectInvalid(_ tensor: ProtoTensor, field: String, reasonContains text: String, limits: FormatLimits = .default) {
        #expect {
            _ = try tensor.elementBytes(context: PayloadContext(limits: limits))
        } throws: { error in
            guard case .invalidTensor(_, "t", field, let reason) = error as? FormatError else { return false }
            return reason.contains(text)
        }
    }

    @Test func readsLittleEndianRawData() throws {
        var t = tensor([2])
        t.rawData = Data([0, 0, 128, 63, 0, 0, 0, 192])  // struct.pack('<2f', 1.0, -2.0)
        #expect(try t.floatValues() == [1, -2])
    }

    @Test func readsFloatData() throws {
        var t = tensor([2, 2])
        t.floatData = [1, 2, 3, 4]
        #expect(try t.floatValues() == [1, 2, 3, 4])
        #expect(try t.elementBytes().count == 16)
    }

    @Test func narrowsInt64DataAndRejectsValuesThatDoNotFit() throws {
        var t = tensor([3], type: .int8)
        t.int64Data = [-128, 5, 127]
        #expect(try t.elementBytes() == Data([0x80, 5, 0x7F]))
        t.int64Data = [1, 300, 2]
        expectInvalid(t, field: "int64_data[1]", reasonContains: "300 does not fit in INT8")
    }

    @Test func rejectsNegativeDims() {
        var t = tensor([2, -3])
        t.floatData = [1]
        expectInvalid(t, field: "dims[1]", reasonContains: "negative dimension -3")
    }

    @Test func rejectsDimsWhoseProductOverflows() {
        var t = tensor([1 << 62, 8])
        t.floatData = [1]
        expectInvalid(t, field: "dims", reasonContains: "overflows")
    }

    @Test func rejectsTensorsOverTheSizeLimit() {
        var limits = FormatLimits()
        limits.maxTensorBytes = 1024
        var t = tensor([16, 17])  // 272 floats = 1088 bytes
        t.floatData = [1]
        #expect {
            _ = try t.elementBytes(context: PayloadContext(limits: limits))
        } throws: { error in
            guard case .limitExceeded(_, _, "1088 bytes", "1024 bytes") = error as? FormatError else { return false }
            return true
        }
    }

    @Test func rejectsRankOverTheLimit() {
        var t = tensor(Array(repeating: 1, count: 17))
        t.floatData = [1]
        #expect(throws: FormatError.self) { _ = try t.elementBytes() }
    }

    @Test func rejectsRawDataOfTheWrongLength() {
        var t = tensor([2, 4])
        t.rawData = Data(count: 28)
        expectInvalid(t, field: "raw_data", reasonContains: "holds 28 bytes, but dims [2, 4] of FLOAT need 32")
    }

    @Test func rejectsFloatDataOfTheWrongCount() {
        var t = tensor([2, 4])
        t.floatData = [1, 2, 3]
        expectInvalid(t, field: "float_data", reasonContains: "holds 3 values, but dims [2, 4] need 8")
    }

    @Test func rejectsValuesInTwoFields() {
        var t = tensor([1])
        t.floatData = [1]
        t.rawData = Data(count: 4)
        expectInvalid(t, field: "raw_data/float_data/int64_data/external", reasonContains: "more than one field")
    }

    @Test func explainsThatFillerOnlyTensorsNeedCompiling() {
        var t = tensor([3])
        t.init_p.kind = .ones
        expectInvalid(t, field: "raw_data", reasonContains: "filler")
    }

    @Test(arguments: [ProtoTensor.Compression.none, .deflate, .shuffleDeflate])
    func storingRoundTripsBitForBit(compression: ProtoTensor.Compression) throws {
        // Values whose bits a lossy path would change: -0, a subnormal, a NaN payload, infinity.
        let values: [Float] = [-0.0, .leastNonzeroMagnitude, Float(bitPattern: 0x7FC0_1234), .infinity, 1.5, -3.25e-7]
        let original = ProtoTensor(name: "t", shape: [2, 3], floats: values)
        let stored = try original.storing(compression: compression)
        #expect(stored.floatData.isEmpty)
        #expect(stored.compression == compression)
        #expect(try stored.floatValues().map(\.bitPattern) == values.map(\.bitPattern))
    }

    @Test func shuffleDeflateBeatsDeflateOnSmoothWeights() throws {
        // Weights of similar magnitude share exponent bytes, which the shuffle groups together.
        var generator = SplitMixForTests(seed: 7)
        let values = (0..<4096).map { _ in Float(generator.nextUnit() * 0.2 - 0.1) }
        let tensor = ProtoTensor(name: "w", shape: [4096], floats: values)
        let deflated = try tensor.storing(compression: .deflate).rawData.count
        let shuffled = try tensor.storing(compression: .shuffleDeflate).rawData.count
        #expect(shuffled < deflated)
    }
}

/// A seeded generator so the test data are the same on every run.
struct SplitMixForTests {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }
}
