// libFuzzer target: the protobuf text decoder of `.pbtxt` models (scripts/fuzz.sh builds and runs it).
// Any input must decode or throw a FormatError; a trap, a sanitizer report or a hang is a finding.
import Foundation
import ModelFormat

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTextModel(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(bytes: start, count: count)
    _ = try? ProtoModel(serialized: bytes, format: .text, fileName: "fuzz.pbtxt")
    return 0
}
