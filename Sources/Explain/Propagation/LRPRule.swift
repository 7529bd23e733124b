import CNN

/// One layer-wise relevance propagation rule for an affine layer `z = W x + b` (Bach et
/// al., 2015; Montavon et al., 2019), written as Zennit 0.5 writes it: a few terms, each
/// the layer run on a modified input with modified parameters, whose outputs divide the
/// incoming relevance and whose transposes carry it down. With `s = R / stab(Σ z_t)`,
/// most rules give `R_x = Σ_t x_t ⊙ W_tᵀ s`, so a layer's relevance is conserved up to
/// its bias and the stabilizer.
public enum LRPRule: Sendable, Equatable {
    /// ε rule: `R_x = x ⊙ Wᵀ (R / (z + ε sign z))`; LRP-0 with ε = 0.
    case epsilon(Float)
    /// Generalized γ rule (Andéol et al., 2021): positive contributions are boosted by
    /// `W + γ W⁺` where `z > 0`, negative ones by `W + γ W⁻` where `z < 0`.
    case gamma(Float)
    /// αβ rule: `α` times the relevance of positive contributions (`W⁺x⁺ + W⁻x⁻`) minus
    /// `β` times that of negative ones, `α − β = 1`.
    case alphaBeta(alpha: Float, beta: Float)
    /// z⁺ rule (αβ with α = 1, β = 0): only positive contributions.
    case zPlus
    /// z^B rule (Montavon et al., 2017) for inputs bounded by `[low, high]`:
    /// `z = W x − W⁺ l − W⁻ h`, `R_x = (x ⊙ Wᵀ − l ⊙ W⁺ᵀ − h ⊙ W⁻ᵀ) s`.
    case zBox(low: Float, high: Float)
    /// Flat rule (Lapuschkin et al., 2019): relevance spread evenly over each output's
    /// receptive field, whatever the weights and inputs.
    case flat

    /// Zennit's stabilizer for every rule but ε.
    static let stabilizer: Float = 1e-6

    /// The relevance of the layer's input `x` (`batch` samples) given the relevance `r` of
    /// its pre-activation output.
    func propagate(
        _ layer: any AffineLayer, input x: [Float], parameters: [Float], relevance r: [Float], batch: Int
    ) -> [Float] {
        let term = AffineTerms(layer: layer, parameters: parameters, batch: batch)
        let positive = WeightMap.positive, negative = WeightMap.negative
        let split = SignSplit(term: term, x: x)
        switch self {
        case .epsilon(let e):
            let s = divide(r, by: term.output(x, weights: .identity, bias: .identity), stabilizer: e)
            return multiply(x, term.transpose(s, weights: .identity))
        case .zPlus:
            let s = divide(r, by: split.output(positive, negative), stabilizer: Self.stabilizer)
            return split.relevance(s, positive, negative)
        case .alphaBeta(let alpha, let beta):
            let activating = split.relevance(
                divide(r, by: split.output(positive, negative), stabilizer: Self.stabilizer), positive, negative)
            let inhibiting = split.relevance(
                divide(r, by: split.output(negative, positive), stabilizer: Self.stabilizer), negative, positive)
            return zip(activating, inhibiting).map { alpha * $0 - beta * $1 }
        case .gamma(let g):
            let up = WeightMap.boostedPositive(g), down = WeightMap.boostedNegative(g)
            let z = term.output(x, weights: .identity, bias: .identity)
            let rPositive = zip(r, z).map { $1 > 0 ? $0 : 0 }, rNegative = zip(r, z).map { $1 < 0 ? $0 : 0 }
            let sPositive = divide(rPositive, by: split.output(up, down), stabilizer: Self.stabilizer)
            let sNegative = divide(rNegative, by: split.output(down, up), stabilizer: Self.stabilizer)
            return add(split.relevance(sPositive, up, down), split.relevance(sNegative, down, up))
        case .zBox(let low, let high):
            let l = [Float](repeating: low, count: x.count), h = [Float](repeating: high, count: x.count)
            let bounds = add(
                term.output(l, weights: positive, bias: positive), term.output(h, weights: negative, bias: negative))
            let z = zip(term.output(x, weights: .identity, bias: .identity), bounds).map { $0 - $1 }
            let s = divide(r, by: z, stabilizer: Self.stabilizer)
            let lower = add(
                multiply(l, term.transpose(s, weights: positive)), multiply(h, term.transpose(s, weights: negative)))
            return zip(multiply(x, term.transpose(s, weights: .identity)), lower).map { $0 - $1 }
        case .flat:
            let ones = [Float](repeating: 1, count: x.count)
            let s = divide(r, by: term.output(ones, weights: .one, bias: nil), stabilizer: Self.stabilizer)
            return term.transpose(s, weights: .one)
        }
    }

    /// `r / (z + ε · sign z)`, with sign 0 taken as +1 (as Zennit's `Stabilizer`).
    private func divide(_ r: [Float], by z: [Float], stabilizer e: Float) -> [Float] {
        zip(r, z).map { r, z in r / (z + (z >= 0 ? e : -e)) }
    }

}

private func multiply(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map(*) }
private func add(_ a: [Float], _ b: [Float]) -> [Float] { zip(a, b).map(+) }

/// The input split by sign, each part through its own weights: the two terms of the z⁺,
/// αβ and γ rules. The positive part keeps the bias (modified like the weights); the
/// negative part has none (Zennit's `zero_bias`).
private struct SignSplit {
    let term: AffineTerms
    let xPlus: [Float], xMinus: [Float]

    init(term: AffineTerms, x: [Float]) {
        self.term = term
        xPlus = x.map { Swift.max($0, 0) }
        xMinus = x.map { Swift.min($0, 0) }
    }

    /// `f(W) x⁺ + f(b) + g(W) x⁻`.
    func output(_ f: WeightMap, _ g: WeightMap) -> [Float] {
        add(term.output(xPlus, weights: f, bias: f), term.output(xMinus, weights: g, bias: nil))
    }

    /// `x⁺ ⊙ f(W)ᵀ s + x⁻ ⊙ g(W)ᵀ s`.
    func relevance(_ s: [Float], _ f: WeightMap, _ g: WeightMap) -> [Float] {
        add(multiply(xPlus, term.transpose(s, weights: f)), multiply(xMinus, term.transpose(s, weights: g)))
    }
}

/// How a rule modifies each weight (and bias) before the layer runs.
private enum WeightMap: Equatable {
    case identity, positive, negative, one
    /// `w + γ max(w, 0)`, the γ rule's boost of positive weights.
    case boostedPositive(Float)
    /// `w + γ min(w, 0)`.
    case boostedNegative(Float)

    func apply(_ w: Float) -> Float {
        switch self {
        case .identity: w
        case .positive: Swift.max(w, 0)
        case .negative: Swift.min(w, 0)
        case .one: 1
        case .boostedPositive(let g): w + g * Swift.max(w, 0)
        case .boostedNegative(let g): w + g * Swift.min(w, 0)
        }
    }
}

/// An affine layer run with modified parameters: `W_t x_t + b_t` and `W_tᵀ s`.
private struct AffineTerms {
    let affine: any AffineLayer
    let parameters: [Float]
    let batch: Int

    init(layer: any AffineLayer, parameters: [Float], batch: Int) {
        affine = layer.affinePart
        self.parameters = parameters
        self.batch = batch
    }

    /// The parameters with `weights` applied to the kernel and `bias` to the bias (nil: no bias).
    private func modified(_ weights: WeightMap, _ bias: WeightMap?) -> [Float] {
        if weights == .identity && bias == .identity { return parameters }
        let k = affine.kernelCount
        return parameters[..<k].map(weights.apply) + parameters[k...].map { bias?.apply($0) ?? 0 }
    }

    func output(_ x: [Float], weights: WeightMap, bias: WeightMap?) -> [Float] {
        affine.output(of: [x], parameters: modified(weights, bias), batch: batch, threads: Parallelism.workers)
    }

    /// The transposed map; a linear layer's vector–Jacobian product does not depend on where
    /// it is taken, so it is taken at zero.
    func transpose(_ s: [Float], weights: WeightMap) -> [Float] {
        let zero = [Float](repeating: 0, count: batch * affine.inputShape.elementCount)
        return affine.inputGradients(
            at: [zero], parameters: modified(weights, .identity), outputGradient: s, batch: batch,
            threads: Parallelism.workers)[0]
    }
}
