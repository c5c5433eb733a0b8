import Foundation
import ModelFormat
import TestSupport
import Testing

@testable import ModelRuntime

/// The TensorProto → Tensor converter on hand-built protos: each storage field, each element
/// type the runtime stores, and the malformed ones it must refuse with a typed error.
@Suite struct TensorProtoReaderTests {
    /// A TensorProto named `t` with `dims` and ONNX type code `type`.
    static func proto(_ type: ProtoDataType, _ dims: [Int64], _ fill: (inout Onnx_TensorProto) -> Void)
        -> Onnx_TensorProto
    {
        var proto = Onnx_TensorProto()
        proto.name = "t"
        proto.dataType = Int32(type.rawValue)
        proto.dims = dims
        fill(&proto)
        return proto
    }

    /// Little-endian bytes of `values`.
    static func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> Data {
        var data = Data()
        for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    @Test func readsFloatRawData() throws {
        let values: [Float] = [1.5, -2, 0, .infinity, 3.25, -0.125]
        let tensor = try TensorProtoReader.tensor(
            from: Self.proto(.float, [2, 3]) {
                $0.rawData = Self.littleEndian(values.map(\.bitPattern))
            })
        #expect(tensor.shape == [2, 3])
        #expect(tensor.elementType == .float32)
        #expect(tensor.scalars == values)
    }

    @Test func readsFloatData() throws {
        let tensor = try TensorProtoReader.tensor(from: Self.proto(.float, [3]) { $0.floatData = [0.5, 1, -7] })
        #expect(tensor.shape == [3])
        #expect(tensor.scalars == [0.5, 1, -7])
    }

    @Test func readsInt64DataAndRawData() throws {
        let values: [Int64] = [-9_007_199_254_740_993, 0, 42, Int64.max]
        let typed = try TensorProtoReader.tensor(from: Self.proto(.int64, [4]) { $0.int64Data = values })
        let raw = try TensorProtoReader.tensor(
            from: Self.proto(.int64, [2, 2]) { $0.rawData = Self.littleEndian(values) })
        #expect(typed.elementType == .int64)
        #expect(typed.int64s == values)
        #expect(raw.shape == [2, 2])
        #expect(raw.int64s == values)
    }

    @Test func readsInt32AndUInt8FromInt32Data() throws {
        let int32 = try TensorProtoReader.tensor(
            from: Self.proto(.int32, [3]) { $0.int32Data = [Int32.min, -1, Int32.max] })
        #expect(int32.elementType == .int32)
        #expect(int32.int64s == [Int64(Int32.min), -1, Int64(Int32.max)])
        let uint8 = try TensorProtoReader.tensor(from: Self.proto(.uint8, [3]) { $0.int32Data = [0, 128, 255] })
        #expect(uint8.elementType == .uint8)
        #expect(uint8.int64s == [0, 128, 255])
    }

    @Test func readsBoolFromInt32DataAndRawData() throws {
        let typed = try TensorProtoReader.tensor(from: Self.proto(.bool, [4]) { $0.int32Data = [1, 0, 0, 1] })
        let raw = try TensorProtoReader.tensor(from: Self.proto(.bool, [2, 2]) { $0.rawData = Data([1, 0, 0, 1]) })
        #expect(typed.elementType == .bool)
        #expect(typed.int64s == [1, 0, 0, 1])
        #expect(raw.elementType == .bool)
        #expect(raw.int64s == [1, 0, 0, 1])
    }

    @Test func widensFloat16FromInt32DataAndRawData() throws {
        // IEEE binary16 bit patterns: 1.0, -2.0, 0.5, 65504 (the largest finite half).
        let bits: [UInt16] = [0x3C00, 0xC000, 0x3800, 0x7BFF]
        let typed = try TensorProtoReader.tensor(
            from: Self.proto(.float16, [4]) { $0.int32Data = bits.map { Int32($0) } })
        let raw = try TensorProtoReader.tensor(from: Self.proto(.float16, [4]) { $0.rawData = Self.littleEndian(bits) })
        #expect(typed.elementType == .float32)
        #expect(typed.scalars == [1, -2, 0.5, 65504])
        #expect(raw.scalars == [1, -2, 0.5, 65504])
    }

    @Test func readsAnEmptyTensorAndAScalar() throws {
        let empty = try TensorProtoReader.tensor(from: Self.proto(.float, [2, 0]) { _ in })
        #expect(empty.shape == [2, 0])
        #expect(empty.count == 0)
        let scalar = try TensorProtoReader.tensor(from: Self.proto(.float, []) { $0.floatData = [3] })
        #expect(scalar.shape == [])
        #expect(scalar.scalars == [3])
    }

    @Test func readsASerializedFileAndUsesItsName() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("input_0.pb")
        var proto = Self.proto(.float, [2]) { $0.floatData = [4, 5] }
        proto.name = "x"
        try (proto.serializedBytes() as Data).write(to: url)
        let (name, tensor) = try TensorProtoReader.read(url)
        #expect(name == "x")
        #expect(tensor.scalars == [4, 5])
    }

    /// A malformed or unsupported proto and the error field it must be refused with.
    struct Bad: Sendable, CustomTestStringConvertible {
        var testDescription: String
        /// The `field` of `.invalid`, or nil for `.unsupportedType`.
        var field: String?
        var proto: Onnx_TensorProto

        init(_ description: String, _ field: String?, _ proto: Onnx_TensorProto) {
            testDescription = description
            self.field = field
            self.proto = proto
        }
    }

    static let badCases: [Bad] = [
        Bad("raw_data shorter than dims need", "raw_data", proto(.float, [2, 3]) { $0.rawData = Data(count: 20) }),
        Bad("raw_data longer than dims need", "raw_data", proto(.int64, [1]) { $0.rawData = Data(count: 16) }),
        Bad("float_data count differs from dims", "float_data", proto(.float, [4]) { $0.floatData = [1, 2, 3] }),
        Bad("int64_data count differs from dims", "int64_data", proto(.int64, [2]) { $0.int64Data = [1, 2, 3] }),
        Bad("int32_data count differs from dims", "int32_data", proto(.bool, [3]) { $0.int32Data = [1, 0] }),
        Bad("float_data for an INT64 tensor", "float_data", proto(.int64, [1]) { $0.floatData = [1] }),
        Bad(
            "two storage fields", "raw_data/float_data",
            proto(.float, [1]) {
                $0.floatData = [1]
                $0.rawData = Data(count: 4)
            }),
        Bad("BOOL value 2", "int32_data[1]", proto(.bool, [2]) { $0.int32Data = [1, 2] }),
        Bad("BOOL byte 7 in raw_data", "raw_data[1]", proto(.bool, [2]) { $0.rawData = Data([0, 7]) }),
        Bad("UINT8 value 256", "int32_data[0]", proto(.uint8, [1]) { $0.int32Data = [256] }),
        Bad("negative dimension", "dims[1]", proto(.float, [2, -1]) { $0.floatData = [1, 2] }),
        Bad("no values for a non-empty shape", "raw_data", proto(.float, [3]) { _ in }),
        Bad("DOUBLE, which the runtime does not store", nil, proto(.double, [1]) { $0.doubleData = [1] }),
        Bad("INT8, which the runtime does not store", nil, proto(.int8, [1]) { $0.int32Data = [1] }),
    ]

    @Test(arguments: badCases)
    func refuses(_ bad: Bad) {
        #expect {
            _ = try TensorProtoReader.tensor(from: bad.proto)
        } throws: { error in
            switch error as? TensorProtoError {
            case .invalid(_, "t", let field, _)?: return field == bad.field
            case .unsupportedType(_, "t", _)?: return bad.field == nil
            default: return false
            }
        }
    }

    @Test func aLengthMismatchNamesTheFileAndBothSizes() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("output_0.pb")
        try (Self.proto(.float, [2, 2]) { $0.rawData = Data(count: 12) }.serializedBytes() as Data).write(to: url)
        do {
            _ = try TensorProtoReader.read(url)
            Issue.record("a 12-byte raw_data for [2,2] FLOAT was accepted")
        } catch {
            #expect(error.file == url.path)
            #expect(error.description.contains("holds 12 bytes"))
            #expect(error.description.contains("need 16"))
        }
    }

    @Test func truncatedBytesAreUnreadable() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("input_0.pb")
        let bytes: Data = try Self.proto(.float, [8]) { $0.floatData = Array(repeating: 1, count: 8) }.serializedBytes()
        // The name field ("t") is the last 3 bytes; cutting 5 ends inside the packed float_data.
        try bytes.prefix(bytes.count - 5).write(to: url)
        #expect {
            _ = try TensorProtoReader.read(url)
        } throws: { error in
            if case .unreadable(url.path, _)? = error as? TensorProtoError { return true }
            return false
        }
    }
}

extension TensorProtoError {
    /// The file named by the error, if any.
    fileprivate var file: String? {
        switch self {
        case .unreadable(let file, _): file
        case .unsupportedType(let file, _, _), .invalid(let file, _, _, _): file
        }
    }
}
