import Foundation

/// SplitMix64 (Steele, Lea & Flood 2014): a tiny, fully specified generator, so a seed gives
/// the same stream on every machine and Swift version (unlike `SystemRandomNumberGenerator`
/// or `Hasher`, which are seeded per process).
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A double uniform in [0, 1) from the top 53 bits.
    mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A standard normal by Box-Muller (the cosine branch; one draw per call keeps streams simple).
    mutating func nextNormal() -> Double {
        let u1 = 1 - nextUnit()  // (0, 1], so the log is finite
        let u2 = nextUnit()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }

    /// A stable 64-bit seed from a model seed and a tensor name (FNV-1a over the name's bytes).
    public static func seed(model: Int64, tensor name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return hash ^ UInt64(bitPattern: model)
    }
}
