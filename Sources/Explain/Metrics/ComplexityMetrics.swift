import Foundation

/// Sparseness (Chalasani et al., 2020): the Gini index of the map's magnitudes. With
/// `a` the sorted magnitudes (each plus 1e-7, as Quantus adds) of `n` pixels,
///
///     G = Σᵢ (2i − n − 1) · aᵢ / (n · Σᵢ aᵢ),   i = 1…n
///
/// 0 for a uniform map, towards 1 when one pixel holds everything. Higher: sparser, which
/// readers find easier to read (it says nothing of faithfulness).
public struct Sparseness: ExplanationMetric {
    public init() {}
    public var name: String { "Sparseness" }
    public var family: MetricFamily { .complexity }
    public var higherIsBetter: Bool { true }
    public var settings: [String] { ["abs = true", "normalise = max"] }

    public func scores(_ input: MetricInput) -> [Double] {
        input.maps.map { Self.gini(MetricMath.byMax($0.values).map(abs)) }
    }

    static func gini(_ magnitudes: [Double]) -> Double {
        let a = magnitudes.map { $0 + 1e-7 }.sorted(), n = Double(a.count)
        let total = a.reduce(0, +)
        var weighted = 0.0
        for (i, v) in a.enumerated() { weighted += (2 * Double(i + 1) - n - 1) * v }
        return weighted / (n * total)
    }
}

/// Complexity (Bhatt et al., 2020): the Shannon entropy (natural logarithm) of the map's
/// magnitudes as a distribution over pixels, `−Σ pᵢ ln pᵢ` with `pᵢ = |aᵢ| / Σ|a|`. ln n for
/// a uniform map of n pixels, 0 when one pixel holds everything. Lower: less complex.
public struct Complexity: ExplanationMetric {
    public init() {}
    public var name: String { "Complexity" }
    public var family: MetricFamily { .complexity }
    public var higherIsBetter: Bool { false }
    public var settings: [String] { ["abs = true", "normalise = max"] }

    public func scores(_ input: MetricInput) -> [Double] {
        input.maps.map { Self.entropy(MetricMath.byMax($0.values).map(abs)) }
    }

    static func entropy(_ magnitudes: [Double]) -> Double {
        let total = magnitudes.reduce(0, +)
        guard total > 0 else { return .nan }
        return -magnitudes.reduce(0.0) { sum, a in
            let p = a / total
            return p > 0 ? sum + p * Foundation.log(p) : sum
        }
    }
}
