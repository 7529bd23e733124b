import Render

/// Eigen-CAM (Muhammad & Yeasin, 2020): the activations projected on their first
/// principal component — class-agnostic, no gradients. With `A` as an `hw × K` matrix
/// centred per channel (as pytorch-grad-cam), the map is `ReLU(A v₁)` with `v₁` the top
/// right singular vector, found by power iteration on `AᵀA`. A singular vector's sign is
/// arbitrary, and the sum of the projection cannot decide it: a projection of centred
/// activations always sums to zero. vizsite picks the sign whose projection correlates
/// positively with the activations' total over channels, so the map lights up where the
/// layer responds (the digit) rather than its complement (the background).
public struct EigenCAM: CAMWeighting {
    public init() {}
    public var name: String { "eigencam" }
    /// The first principal component of the activations ignores the class.
    public var explainsContrasts: Bool { false }

    /// The first principal direction, one weight per channel.
    public func weights(_ c: CAMContext) -> [Float] {
        let n = c.pixels, k = c.channels
        var means = [Double](repeating: 0, count: k)
        for p in 0..<n { for j in 0..<k { means[j] += Double(c.activation(p, j)) } }
        means = means.map { $0 / Double(max(n, 1)) }
        var centred = [Double](repeating: 0, count: n * k)
        for p in 0..<n { for j in 0..<k { centred[p * k + j] = Double(c.activation(p, j)) - means[j] } }
        // Covariance-like K × K matrix AᵀA.
        var gram = [Double](repeating: 0, count: k * k)
        for p in 0..<n {
            for a in 0..<k {
                let x = centred[p * k + a]
                if x == 0 { continue }
                for b in 0..<k { gram[a * k + b] += x * centred[p * k + b] }
            }
        }
        var v = [Double](repeating: 1 / Double(k).squareRoot(), count: k)
        for _ in 0..<500 {
            var next = [Double](repeating: 0, count: k)
            for a in 0..<k { for b in 0..<k { next[a] += gram[a * k + b] * v[b] } }
            let norm = next.reduce(0) { $0 + $1 * $1 }.squareRoot()
            guard norm > 0 else { return [Float](repeating: 0, count: k) }
            next = next.map { $0 / norm }
            let change = zip(next, v).reduce(0) { $0 + abs($1.0 - $1.1) }
            v = next
            if change < 1e-12 { break }
        }
        // Covariance of the projection with the (uncentred) channel total; the projection
        // has mean zero, so this is Σ_p projection_p · total_p.
        var agreement = 0.0
        for p in 0..<n {
            var projection = 0.0, total = 0.0
            for j in 0..<k {
                projection += centred[p * k + j] * v[j]
                total += Double(c.activation(p, j))
            }
            agreement += projection * total
        }
        if agreement < 0 { v = v.map { -$0 } }
        return v.map { Float($0) }
    }

    public func map(_ c: CAMContext) -> Heatmap {
        let v = weights(c)
        var means = [Float](repeating: 0, count: c.channels)
        for p in 0..<c.pixels { for j in 0..<c.channels { means[j] += c.activation(p, j) } }
        means = means.map { $0 / Float(max(c.pixels, 1)) }
        let values = (0..<c.pixels).map { p in
            max((0..<c.channels).reduce(Float(0)) { $0 + (c.activation(p, $1) - means[$1]) * v[$1] }, 0)
        }
        return Heatmap(width: c.width, height: c.height, values: values)
    }
}
