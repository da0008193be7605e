import Foundation

/// Rotary position embedding (RoPE) of the Llama-style families.
///
/// With head width d (even) and inverse frequencies `ω_i`, `i < d/2`, the vector `x` `[d]` of a
/// query or key head at position `t` becomes, for `i < d/2` (the "rotate half" layout of Hugging Face):
/// `x'_i = x_i cos(tω_i) − x_{i+d/2} sin(tω_i)`, `x'_{i+d/2} = x_{i+d/2} cos(tω_i) + x_i sin(tω_i)`.
/// Default: `ω_i = 1 / θ^{2i/d}`. The scalings change only `ω` (their cos/sin factor is 1):
/// `linear` divides ω by `factor`; `dynamic` (NTK) raises θ to
/// `θ · (factor·n/m − factor + 1)^{d/(d−2)}` when the analysed length n exceeds
/// `max_position_embeddings` m and is the default otherwise; `llama3` divides the low frequencies
/// (wavelength `2π/ω > L/low_freq_factor`, L the original context) by `factor`, keeps the high ones
/// (`< L/high_freq_factor`) and blends in between with `s = (L/λ − low)/(high − low)`:
/// `ω' = (1 − s)·ω/factor + s·ω`. Frequencies are computed in float32 in the order `transformers`
/// uses, and cos/sin in double then rounded, so tables agree with torch to an ulp or so.
public struct RotaryEmbedding: Sendable, Equatable {
    /// How `ω` is rescaled.
    public enum Scaling: Sendable, Equatable {
        case none
        case linear(factor: Double)
        case dynamic(factor: Double)
        case llama3(factor: Double, lowFrequencyFactor: Double, highFrequencyFactor: Double, originalContext: Int)
    }

    /// `rope_type` values this type implements.
    public static let supportedTypes = ["default", "linear", "dynamic", "llama3"]

    /// θ (`rope_theta`).
    public var theta: Double
    /// The scaling variant.
    public var scaling: Scaling
    /// Rotated width: the head dimension d.
    public var dimension: Int
    /// `max_position_embeddings` (the threshold of `dynamic`).
    public var maxPositionEmbeddings: Int

    /// `ω` `[d/2]` for a sequence of length `n`.
    public func inverseFrequencies(sequenceLength n: Int) -> [Float] {
        var base = theta
        if case .dynamic(let factor) = scaling, n > maxPositionEmbeddings {
            let d = Double(dimension)
            base *= pow(factor * Double(n) / Double(maxPositionEmbeddings) - (factor - 1), d / (d - 2))
        }
        let d = Float(dimension)
        var omega = (0..<(dimension / 2)).map { i -> Float in
            let exponent = Float(2 * i) / d
            return 1 / Float(pow(Double(Float(base)), Double(exponent)))
        }
        switch scaling {
        case .none, .dynamic:
            break
        case .linear(let factor):
            omega = omega.map { $0 / Float(factor) }
        case .llama3(let factor, let low, let high, let context):
            let f = Float(factor), lowFactor = Float(low), highFactor = Float(high), old = Float(context)
            let lowWavelength = old / lowFactor, highWavelength = old / highFactor
            omega = omega.map { w in
                let wavelength = Float(2 * Double.pi) / w
                if wavelength > lowWavelength { return w / f }
                if wavelength < highWavelength { return w }
                let smooth = (old / wavelength - lowFactor) / (highFactor - lowFactor)
                return (1 - smooth) * w / f + smooth * w
            }
        }
        return omega
    }

    /// `cos(tω_i)` and `sin(tω_i)` `[n, d/2]` row-major, for positions `t = 0 ..< n`.
    public func table(sequenceLength n: Int) -> (cos: [Float], sin: [Float]) {
        let omega = inverseFrequencies(sequenceLength: n)
        let half = omega.count
        var cosines = [Float](repeating: 0, count: n * half), sines = cosines
        for t in 0..<n {
            for i in 0..<half {
                // torch forms the angle in float32 (position × ω), then takes cos/sin of it.
                let angle = Double(Float(t) * omega[i])
                cosines[t * half + i] = Float(Foundation.cos(angle))
                sines[t * half + i] = Float(Foundation.sin(angle))
            }
        }
        return (cosines, sines)
    }

    /// Rotates `heads` consecutive head vectors `[heads, d]` at one position in place; `cos`, `sin`
    /// point at that position's `[d/2]` row of ``table(sequenceLength:)``.
    @inline(__always)
    static func rotate(_ x: UnsafeMutablePointer<Float>, heads: Int, dimension d: Int,
                       cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        let half = d / 2
        for head in 0..<heads {
            let v = x + head * d
            for i in 0..<half {
                let a = v[i], b = v[i + half]
                v[i] = a * cos[i] - b * sin[i]
                v[i + half] = b * cos[i] + a * sin[i]
            }
        }
    }
}

/// The rope keys of a `config.json`: the newer `rope_parameters` object or the legacy
/// `rope_scaling` object (both decode to this), which sit next to a top-level `rope_theta`.
struct RopeParameters: Decodable {
    var ropeType: String?
    var legacyType: String?
    var theta: Double?
    var factor: Double?
    var lowFrequencyFactor: Double?
    var highFrequencyFactor: Double?
    var originalMaxPositionEmbeddings: Int?
    var partialRotaryFactor: Double?
    /// Keys naming attention layer types: per-layer-type rope settings, which no supported family uses.
    var nestedLayerTypes: [String]

    private enum CodingKeys: String, CodingKey {
        case ropeType = "rope_type", legacyType = "type", theta = "rope_theta", factor
        case lowFrequencyFactor = "low_freq_factor", highFrequencyFactor = "high_freq_factor"
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
        case partialRotaryFactor = "partial_rotary_factor"
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        ropeType = try c.decodeIfPresent(String.self, forKey: .ropeType)
        legacyType = try c.decodeIfPresent(String.self, forKey: .legacyType)
        theta = try c.decodeIfPresent(Double.self, forKey: .theta)
        factor = try c.decodeIfPresent(Double.self, forKey: .factor)
        lowFrequencyFactor = try c.decodeIfPresent(Double.self, forKey: .lowFrequencyFactor)
        highFrequencyFactor = try c.decodeIfPresent(Double.self, forKey: .highFrequencyFactor)
        originalMaxPositionEmbeddings = try c.decodeIfPresent(Int.self, forKey: .originalMaxPositionEmbeddings)
        partialRotaryFactor = try c.decodeIfPresent(Double.self, forKey: .partialRotaryFactor)
        let all = try decoder.container(keyedBy: AnyKey.self).allKeys.map(\.stringValue)
        nestedLayerTypes = all.filter { $0.hasSuffix("_attention") }
    }

    /// Resolves the rope settings as `transformers` does: `rope_parameters` if present, else the
    /// legacy `rope_scaling`; θ from inside that object, else the top-level `rope_theta`, else 10000;
    /// the type from `rope_type`, else `type`, else `default`.
    static func resolve(
        parameters: RopeParameters?, legacyScaling: RopeParameters?, topLevelTheta: Double?,
        headDimension: Int, maxPositionEmbeddings: Int, file: String
    ) throws(TransformerError) -> RotaryEmbedding {
        let p = parameters ?? legacyScaling
        if let nested = p?.nestedLayerTypes, !nested.isEmpty {
            throw .invalidConfiguration(file: file, detail: "per-layer-type rope settings (\(nested.joined(separator: ", "))) are not supported")
        }
        let theta = p?.theta ?? topLevelTheta ?? 10_000
        let type = p?.ropeType ?? p?.legacyType ?? "default"
        if let partial = p?.partialRotaryFactor, partial != 1 {
            throw .invalidConfiguration(file: file, detail: "partial_rotary_factor \(partial) is not supported (only 1)")
        }
        guard theta.isFinite, theta > 1 else {
            throw .invalidConfiguration(file: file, detail: "rope_theta must be a finite number above 1, is \(theta)")
        }
        func factor() throws(TransformerError) -> Double {
            guard let f = p?.factor, f.isFinite, f >= 1 else {
                throw .invalidConfiguration(file: file, detail: "rope type '\(type)' needs a 'factor' ≥ 1, has \(p?.factor.map { "\($0)" } ?? "none")")
            }
            return f
        }
        let scaling: RotaryEmbedding.Scaling
        switch type {
        case "default":
            scaling = .none
        case "linear":
            scaling = .linear(factor: try factor())
        case "dynamic":
            scaling = .dynamic(factor: try factor())
        case "llama3":
            let f = try factor()
            guard let low = p?.lowFrequencyFactor, let high = p?.highFrequencyFactor, low > 0, high > low else {
                throw .invalidConfiguration(file: file, detail: "rope type 'llama3' needs low_freq_factor > 0 and high_freq_factor > low_freq_factor")
            }
            let context = p?.originalMaxPositionEmbeddings ?? maxPositionEmbeddings
            guard context > 0 else {
                throw .invalidConfiguration(file: file, detail: "original_max_position_embeddings must be positive, is \(context)")
            }
            scaling = .llama3(factor: f, lowFrequencyFactor: low, highFrequencyFactor: high, originalContext: context)
        default:
            throw .unsupportedRopeType(file: file, type: type)
        }
        guard headDimension >= 2, headDimension % 2 == 0 else {
            throw .invalidConfiguration(file: file, detail: "RoPE needs an even head dimension, has \(headDimension)")
        }
        return RotaryEmbedding(theta: theta, scaling: scaling, dimension: headDimension, maxPositionEmbeddings: maxPositionEmbeddings)
    }
}
