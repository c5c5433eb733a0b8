// libFuzzer target: ONNX decoding and its mapping onto the model format (scripts/fuzz.sh builds and runs it).
// Any input must import or throw a FormatError.
import Foundation
import ModelFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzONNXImport(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(bytes: start, count: count)
    _ = try? ProtoModel(serialized: bytes, format: .onnx, fileName: "fuzz.onnx")
    return 0
}
