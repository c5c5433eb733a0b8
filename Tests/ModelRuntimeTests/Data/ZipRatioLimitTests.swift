import Foundation
import Testing
import TestSupport

@testable import ModelRuntime

/// Deflated `.npz` members get a decompression-ratio limit (issue 13): a 1 MB member that
/// inflated to 1 GB was read (10 s, 2.6 GB of memory).
@Suite struct ZipRatioLimitTests {
    /// 2 MiB of zeros deflate to about 2 KB, a ratio near 1000×.
    private func zeros(_ count: Int) throws -> Data {
        try NPZ.encode(["x": Tensor(shape: [count], scalars: Array(repeating: 0, count: count))], compressed: true)
    }

    @Test func aMemberOverTheRatioIsRefusedBeforeInflating() throws {
        var limits = DataLimits()
        limits.decompressionRatioFromBytes = 1 << 20
        let archive = try zeros(1 << 19)  // 2 MiB of float32 zeros
        #expect(archive.count < 20_000)
        #expect {
            _ = try NPZ.read(archive, file: "bomb.npz", limits: limits)
        } throws: { error in
            guard case .limitExceeded(let file, let member, let what, _, let limit) = error as? DataError else { return false }
            return file == "bomb.npz" && member == "x.npy" && what == "decompression ratio"
                && limit == "200× for members of 1048576 bytes or more"
        }
    }

    @Test func smallMembersAndOrdinaryRatiosAreRead() throws {
        // Under the size floor, any ratio is accepted (a mask of zeros is data).
        let small = try NPZ.read(try zeros(1 << 10), file: "mask.npz")
        #expect(small["x"]?.shape == [1024])
        // Over the floor, a member that compresses like real data (here ~1.1×) is read.
        var limits = DataLimits()
        limits.decompressionRatioFromBytes = 1 << 10
        var generator = SystemRandomNumberGenerator()
        let values = (0..<4096).map { _ in Float.random(in: -1...1, using: &generator) }
        let archive = try NPZ.encode(["x": Tensor(shape: [4096], scalars: values)], compressed: true)
        #expect(try NPZ.read(archive, file: "data.npz", limits: limits)["x"]?.scalars == values)
    }
}
