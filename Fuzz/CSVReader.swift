// libFuzzer target: the CSV reader, gzip included (scripts/fuzz.sh builds and runs it). The first
// byte chooses the label column (none, last, first, a name), so each resolution path is fuzzed.
// Any input must read or throw a DataError.
import Foundation
import ModelRuntime

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVReader(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    guard count > 0 else { return 0 }
    let bytes = UnsafeRawBufferPointer(start: start, count: count)
    let columns: [CSV.LabelColumn] = [.none, .last, .index(0), .index(-2), .name("label")]
    let column = columns[Int(bytes[0]) % columns.count]
    let data = Data(bytes.dropFirst())
    _ = try? CSV.read(data, file: "fuzz.csv", labelColumn: column, limits: DataLimits(maxArrayBytes: 64 << 20))
    return 0
}
