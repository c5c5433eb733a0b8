// libFuzzer target: the .npy reader (scripts/fuzz.sh builds and runs it).
// Any input must read or throw a DataError.
import Foundation
import ModelRuntime

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPYReader(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(bytes: start, count: count)
    _ = try? NPY.read(bytes, file: "fuzz.npy", limits: DataLimits(maxArrayBytes: 64 << 20))
    return 0
}
