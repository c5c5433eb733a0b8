// libFuzzer target: the .npz reader, zip directory and deflate included (scripts/fuzz.sh builds and runs it).
// Any input must read or throw a DataError.
import Foundation
import ModelRuntime

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPZReader(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = Data(bytes: start, count: count)
    _ = try? NPZ.read(bytes, file: "fuzz.npz", limits: DataLimits(maxArrayBytes: 64 << 20))
    return 0
}
