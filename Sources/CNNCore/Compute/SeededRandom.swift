import Foundation

/// A small, fast, seedable generator (xoshiro256**, Blackman & Vigna 2018), seeded
/// through SplitMix64 so that nearby seeds give unrelated streams.
///
/// Everything random in vizsite (initialization, shuffling, dropout masks, noise)
/// draws from one of these, so the same seed gives the same numbers on every run.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var s0, s1, s2, s3: UInt64
    private var spareNormal: Float?

    /// A generator for `seed`; extra `stream` words select independent sub-streams
    /// (for example epoch, step and sample index of a dropout mask).
    public init(seed: UInt64, stream: UInt64...) {
        var x = seed
        for word in stream { x = SeededRandom.splitMix(&x) ^ (word &* 0x9E37_79B9_7F4A_7C15) }
        s0 = SeededRandom.splitMix(&x)
        s1 = SeededRandom.splitMix(&x)
        s2 = SeededRandom.splitMix(&x)
        s3 = SeededRandom.splitMix(&x)
    }

    private static func splitMix(_ x: inout UInt64) -> UInt64 {
        x &+= 0x9E37_79B9_7F4A_7C15
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func next() -> UInt64 {
        let result = ((s1 &* 5) << 7 | (s1 &* 5) >> 57) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = s3 << 45 | s3 >> 19
        return result
    }

    /// A uniform Float in [0, 1) with 24 random bits.
    public mutating func nextUnit() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform Float in [low, high).
    public mutating func uniform(_ low: Float, _ high: Float) -> Float {
        low + (high - low) * nextUnit()
    }

    /// A standard normal Float (Box–Muller; each pair of uniforms gives two normals, the
    /// second kept for the next call).
    public mutating func normal() -> Float {
        if let value = spareNormal {
            spareNormal = nil
            return value
        }
        let u1 = max(Double(next() >> 11) * 0x1p-53, 1e-300)
        let u2 = Double(next() >> 11) * 0x1p-53
        let r = (-2 * log(u1)).squareRoot(), angle = 2 * Double.pi * u2
        spareNormal = Float(r * sin(angle))
        return Float(r * cos(angle))
    }
}
