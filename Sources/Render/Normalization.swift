/// How raw explanation values become [0, 1] before colormapping — always explicit, and
/// reported in each figure's caption.
public enum Normalization: Sendable, Equatable, CustomStringConvertible {
    /// (v − min) / (max − min).
    case minMax
    /// v / (2·max|v|) + 0.5: zero stays at the centre of a diverging colormap.
    case symmetric
    /// Min–max between the `low` and `high` percentiles, values outside clipped.
    case percentile(low: Double, high: Double)
    /// Between fixed bounds (shared across figures), values outside clipped.
    case fixed(low: Float, high: Float)

    public var description: String {
        switch self {
        case .minMax: return "min–max"
        case .symmetric: return "symmetric around 0"
        case let .percentile(low, high): return "percentiles \(Self.format(low))–\(Self.format(high)), clipped"
        case let .fixed(low, high): return "fixed range [\(low), \(high)]"
        }
    }

    private static func format(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(x)
    }

    /// The value range mapped to [0, 1] (for symmetric: [−m, m]).
    public func range(of values: [Float]) -> (low: Float, high: Float) {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return (0, 0) }
        switch self {
        case .minMax: return (lo, hi)
        case .symmetric:
            let m = Swift.max(abs(lo), abs(hi))
            return (-m, m)
        case let .percentile(low, high):
            let sorted = finite.sorted()
            return (Self.percentile(sorted, low), Self.percentile(sorted, high))
        case let .fixed(low, high): return (low, high)
        }
    }

    /// The values mapped to [0, 1]. A constant (or all-zero) map becomes a flat map —
    /// 0.5 for symmetric, 0 otherwise — never NaN.
    public func apply(_ values: [Float]) -> (values: [Float], low: Float, high: Float) {
        let (low, high) = range(of: values)
        let span = high - low
        guard span > 0, span.isFinite else {
            let flat: Float = self == .symmetric ? 0.5 : 0
            return (values.map { _ in flat }, low, high)
        }
        return (values.map { v in v.isFinite ? Swift.min(Swift.max((v - low) / span, 0), 1) : 0 }, low, high)
    }

    /// Linear interpolation between closest ranks, as numpy's default percentile.
    static func percentile(_ sorted: [Float], _ p: Double) -> Float {
        guard sorted.count > 1 else { return sorted.first ?? 0 }
        let rank = Swift.min(Swift.max(p, 0), 100) / 100 * Double(sorted.count - 1)
        let i = Int(rank), f = Float(rank - Double(i))
        return i + 1 < sorted.count ? sorted[i] + (sorted[i + 1] - sorted[i]) * f : sorted[i]
    }
}
