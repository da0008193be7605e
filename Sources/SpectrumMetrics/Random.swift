import Foundation

/// A seeded, platform-independent generator: xoshiro256** seeded through SplitMix64.
///
/// The same seed gives the same stream on every machine running this build (no system RNG, no
/// thread-dependent order). Streams for different (sequence, k, trial) triples are derived from the
/// run seed with ``derived(_:)``, so a shard reproduces exactly the draws of a single run.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// A generator whose whole stream is determined by `seed`.
    public init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    /// A generator for a sub-stream identified by `keys` (e.g. sequence index, k, trial).
    public static func derived(seed: UInt64, _ keys: UInt64...) -> SeededGenerator {
        var generator = SeededGenerator(seed: seed)
        var mixed = generator.next()
        for key in keys {
            var keyed = SeededGenerator(seed: mixed ^ (key &* 0xD6E8_FEB8_6659_FD93))
            mixed = keyed.next()
        }
        generator = SeededGenerator(seed: mixed)
        return generator
    }

    /// Next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotl(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotl(state.3, 45)
        return result
    }

    @inline(__always)
    private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform double in the open interval (0, 1), from the top 53 bits.
    public mutating func nextOpenUnit() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1p-53
    }

    /// `count` independent N(0, variance) samples by the Box–Muller transform.
    public mutating func gaussians(count: Int, variance: Double = 1) -> [Double] {
        var result = [Double](repeating: 0, count: count)
        let scale = variance.squareRoot()
        var i = 0
        while i < count {
            let radius = (-2 * log(nextOpenUnit())).squareRoot() * scale
            let angle = 2 * Double.pi * nextOpenUnit()
            result[i] = radius * cos(angle)
            if i + 1 < count { result[i + 1] = radius * sin(angle) }
            i += 2
        }
        return result
    }
}
