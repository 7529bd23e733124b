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
        let positive: (Float) -> Float = { Swift.max($0, 0) }, negative: (Float) -> Float = { Swift.min($0, 0) }
        let split = SignSplit(term: term, x: x)
        switch self {
        case .epsilon(let e):
            let s = divide(r, by: term.output(x, weights: { $0 }, bias: { $0 }), stabilizer: e)
            return multiply(x, term.transpose(s, weights: { $0 }))
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
            let up: (Float) -> Float = { $0 + g * Swift.max($0, 0) }
            let down: (Float) -> Float = { $0 + g * Swift.min($0, 0) }
            let z = term.output(x, weights: { $0 }, bias: { $0 })
            let rPositive = zip(r, z).map { $1 > 0 ? $0 : 0 }, rNegative = zip(r, z).map { $1 < 0 ? $0 : 0 }
            let sPositive = divide(rPositive, by: split.output(up, down), stabilizer: Self.stabilizer)
            let sNegative = divide(rNegative, by: split.output(down, up), stabilizer: Self.stabilizer)
            return add(split.relevance(sPositive, up, down), split.relevance(sNegative, down, up))
        case .zBox(let low, let high):
            let l = [Float](repeating: low, count: x.count), h = [Float](repeating: high, count: x.count)
            let bounds = add(
                term.output(l, weights: positive, bias: positive), term.output(h, weights: negative, bias: negative))
            let z = zip(term.output(x, weights: { $0 }, bias: { $0 }), bounds).map { $0 - $1 }
            let s = divide(r, by: z, stabilizer: Self.stabilizer)
            let lower = add(
                multiply(l, term.transpose(s, weights: positive)), multiply(h, term.transpose(s, weights: negative)))
            return zip(multiply(x, term.transpose(s, weights: { $0 })), lower).map { $0 - $1 }
        case .flat:
            let ones = [Float](repeating: 1, count: x.count)
            let s = divide(r, by: term.output(ones, weights: { _ in 1 }, bias: nil), stabilizer: Self.stabilizer)
            return term.transpose(s, weights: { _ in 1 })
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
    func output(_ f: @escaping (Float) -> Float, _ g: @escaping (Float) -> Float) -> [Float] {
        add(term.output(xPlus, weights: f, bias: f), term.output(xMinus, weights: g, bias: nil))
    }

    /// `x⁺ ⊙ f(W)ᵀ s + x⁻ ⊙ g(W)ᵀ s`.
    func relevance(_ s: [Float], _ f: (Float) -> Float, _ g: (Float) -> Float) -> [Float] {
        add(multiply(xPlus, term.transpose(s, weights: f)), multiply(xMinus, term.transpose(s, weights: g)))
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
    private func modified(_ weights: (Float) -> Float, _ bias: ((Float) -> Float)?) -> [Float] {
        let k = affine.kernelCount
        return parameters[..<k].map(weights) + parameters[k...].map { bias?($0) ?? 0 }
    }

    func output(_ x: [Float], weights: (Float) -> Float, bias: ((Float) -> Float)?) -> [Float] {
        affine.output(of: [x], parameters: modified(weights, bias), batch: batch, threads: Parallelism.workers)
    }

    /// The transposed map; a linear layer's vector–Jacobian product does not depend on where
    /// it is taken, so it is taken at zero.
    func transpose(_ s: [Float], weights: (Float) -> Float) -> [Float] {
        let zero = [Float](repeating: 0, count: batch * affine.inputShape.elementCount)
        return affine.inputGradients(
            at: [zero], parameters: modified(weights, { $0 }), outputGradient: s, batch: batch,
            threads: Parallelism.workers)[0]
    }
}
