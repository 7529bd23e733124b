import CNN
import Foundation
import Common
import Render

/// Feature visualization with Lucid's and Lucent's defaults (Olah et al., 2017): a unit's
/// activation before its ReLU — for a convolution, its channel at the centre of the map
/// (Lucid's `neuron` objective: a filter's mean over a whole digit is highest on a blank
/// one) — is raised by an image that is a sigmoid of parameters —
/// Fourier coefficients scaled by 1/f (`SpectralImage`), or pixels — optimized by Adam
/// (learning rate 0.05), seen through random shifts, scales and rotations at every step
/// (`RandomWarp`). With several images per unit, a diversity term (Lucid's `diversity`) pushes their Gram
/// matrices at a convolution apart, so each shows another way of exciting the unit:
///
///     objective = Σ_i unit(T_i(x_i)) − λ · (1/n) Σ_i Σ_{j≠i} ⟨Ĝ_i, Ĝ_j⟩,  Ĝ = G / ‖G‖,  G = AᵀA
///
/// A fixed seed gives the same images, bit for bit.
public struct FeatureVisualization: Sendable {
    public enum Parametrization: String, Sendable, CaseIterable {
        case pixel, fourier
    }

    public var parametrization: Parametrization
    /// Random shifts (±2 pixels), scales (0.9–1.1) and rotations (±10°) at each step.
    public var transforms: Bool
    /// Images per unit; with more than one, the diversity term weighs `diversity`.
    public var images: Int
    public var diversity: Float
    public var steps: Int
    public var learningRate: Float
    public var seed: UInt64

    public init(
        parametrization: Parametrization = .fourier, transforms: Bool = true, images: Int = 1, diversity: Float = 0,
        steps: Int = 256, learningRate: Float = 0.05, seed: UInt64 = 0
    ) {
        self.parametrization = parametrization
        self.transforms = transforms
        self.images = images
        self.diversity = diversity
        self.steps = steps
        self.learningRate = learningRate
        self.seed = seed
    }

    /// The layer the diversity term compares Gram matrices at: the unit's own layer when it
    /// is a convolution, else the last layer with an `[h, w, c]` output before it.
    public static func diversityLayer(_ model: Model, unitLayer index: Int) -> Int? {
        (0...index).last { model.layers[$0].outputShape.count == 3 }
    }

    /// `images` pictures maximizing unit `unit` of `layer`, each with the objective's value
    /// on it (untransformed, before the ReLU).
    public func visualize(
        _ model: Model, layer: String, unit: Int, normalization: InputNormalization = .standard
    ) throws(ExplainError) -> [ActivationMaximization.Result] {
        let index = try model.requireLayer(layer)
        // Units before their ReLU, as Lucid's `*_pre_relu` objectives: a gray start would leave
        // a filter's ReLU silent and its gradient zero.
        let model = model.withLinearActivation(at: index, convolutions: true)
        let shape = model.layers[index].outputShape, units = shape.last!
        guard (0..<units).contains(unit) else { throw .classOutOfRange(unit, classes: units) }
        let input = model.inputShape, (h, w, c) = (input[0], input[1], input[2]), size = h * w * c
        let n = max(images, 1), positions = shape.elementCount / units
        // The objective's position: the centre cell of a convolution's map.
        let centre = shape.count == 3 ? (shape[0] / 2) * shape[1] + shape[1] / 2 : 0
        let spectral = SpectralImage(height: h, width: w)
        let perImage = parametrization == .fourier ? spectral.count * c : size
        var random = SeededRandom(seed: seed, stream: 0xF7)
        var parameters = (0..<(n * perImage)).map { _ in 0.01 * random.normal() }
        var adam = Adam(count: parameters.count, learningRate: learningRate)
        let warp = RandomWarp()
        let divLayer = n > 1 && diversity > 0 ? Self.diversityLayer(model, unitLayer: index) : nil
        var seedGradient = Tensor(shape: [n] + shape)
        for i in 0..<n { seedGradient.scalars[(i * positions + centre) * units + unit] = 1 }
        func pictures(_ parameters: [Float]) -> [[Float]] {
            (0..<n).map { i in
                let p = parameters[i * perImage..<(i + 1) * perImage]
                let raw = parametrization == .fourier ? interleave(p, channels: c, spectral: spectral) : Array(p)
                return raw.map { 1 / (1 + expf(-$0)) }
            }
        }
        return WorkspacePool.with(model, capacity: n) { workspace in
            let threads = Parallelism.workers
            for _ in 0..<steps {
                let x = pictures(parameters)
                let samplings = (0..<n).map { _ in
                    transforms ? warp.draw(height: h, width: w, channels: c, random: &random) : nil
                }
                var batch: [Float] = []
                batch.reserveCapacity(n * size)
                for i in 0..<n {
                    batch += normalization.normalize(samplings[i]?.apply(x[i]) ?? x[i], channels: c)
                }
                workspace.setInput(Tensor(shape: [n] + input, scalars: batch))
                model.forward(workspace, batch: n, through: index, threads: threads)
                workspace.setGradient(of: index, seedGradient)
                model.backward(workspace, batch: n, from: index, to: -1, threads: threads)
                var g = workspace.gradient(of: -1, batch: n, shape: input).scalars
                if let divLayer {
                    let a = workspace.output(of: divLayer, batch: n, shape: model.layers[divLayer].outputShape)
                    let dA = Self.diversityGradient(a.scalars, images: n, channels: a.shape.last!)
                    workspace.setGradient(
                        of: divLayer, Tensor(shape: a.shape, scalars: dA.map { -diversity * $0 }))
                    model.backward(workspace, batch: n, from: divLayer, to: -1, threads: threads)
                    let gd = workspace.gradient(of: -1, batch: n, shape: input).scalars
                    for k in g.indices { g[k] += gd[k] }
                }
                var step = [Float](repeating: 0, count: parameters.count)
                for i in 0..<n {
                    var gi = normalization.pullBack(Array(g[i * size..<(i + 1) * size]), channels: c)
                    if let s = samplings[i] { gi = s.pullBack(gi) }
                    for k in 0..<size { gi[k] *= x[i][k] * (1 - x[i][k]) }  // the sigmoid
                    let gp = parametrization == .fourier ? spectralGradient(gi, channels: c, spectral: spectral) : gi
                    for k in 0..<perImage { step[i * perImage + k] = gp[k] }
                }
                adam.ascend(&parameters, gradient: step)
            }
            let final = pictures(parameters)
            workspace.setInput(
                Tensor(shape: [n] + input, scalars: final.flatMap { normalization.normalize($0, channels: c) }))
            model.forward(workspace, batch: n, through: index, threads: threads)
            let out = workspace.output(of: index, batch: n, shape: shape).scalars
            return (0..<n).map { i in
                ActivationMaximization.Result(
                    image: channelSum(final[i][...], height: h, width: w, channels: c),
                    activation: out[(i * positions + centre) * units + unit], pixels: final[i], channels: c)
            }
        }
    }

    /// The gradient of Lucid's diversity `(1/n) Σ_i Σ_{j≠i} ⟨Ĝ_i, Ĝ_j⟩` with respect to the
    /// activations `a` (`n` images of `[positions, channels]`), `G_i = A_iᵀ A_i`.
    static func diversityGradient(_ a: [Float], images n: Int, channels k: Int) -> [Float] {
        let positions = a.count / (n * k)
        var grams = [[Float]](repeating: [Float](repeating: 0, count: k * k), count: n),
            norms = [Float](
                repeating: 0, count: n)
        for i in 0..<n {
            let base = i * positions * k
            for p in 0..<positions {
                for r in 0..<k {
                    let ar = a[base + p * k + r]
                    guard ar != 0 else { continue }
                    for s in 0..<k { grams[i][r * k + s] += ar * a[base + p * k + s] }
                }
            }
            norms[i] = max(grams[i].reduce(0) { $0 + $1 * $1 }.squareRoot(), 1e-10)
        }
        let unit = (0..<n).map { i in grams[i].map { $0 / norms[i] } }
        var out = [Float](repeating: 0, count: a.count)
        for i in 0..<n {
            // Both orders of each pair: dD/dĜ_i = (2/n) Σ_{j≠i} Ĝ_j; through the normalization
            // and G = AᵀA, dD/dA = A (M + Mᵀ) with M = dD/dG.
            var others = [Float](repeating: 0, count: k * k)
            for j in 0..<n where j != i { for e in 0..<(k * k) { others[e] += unit[j][e] } }
            let along = zip(others, unit[i]).reduce(0) { $0 + $1.0 * $1.1 }
            let m = (0..<(k * k)).map { e in 2 / Float(n) * (others[e] - unit[i][e] * along) / norms[i] }
            let base = i * positions * k
            for p in 0..<positions {
                for r in 0..<k {
                    var sum: Float = 0
                    for s in 0..<k { sum += a[base + p * k + s] * (m[s * k + r] + m[r * k + s]) }
                    out[base + p * k + r] = sum
                }
            }
        }
        return out
    }
}

/// Channels-last pixels from per-channel spectra.
private func interleave(_ p: ArraySlice<Float>, channels c: Int, spectral: SpectralImage) -> [Float] {
    let pixels = spectral.height * spectral.width
    var out = [Float](repeating: 0, count: pixels * c)
    for ch in 0..<c {
        let start = p.startIndex + ch * spectral.count
        let plane = spectral.image(p[start..<start + spectral.count])
        for i in 0..<pixels { out[i * c + ch] = plane[i] }
    }
    return out
}

/// Per-channel spectral gradients from a channels-last pixel gradient.
private func spectralGradient(_ g: [Float], channels c: Int, spectral: SpectralImage) -> [Float] {
    let pixels = spectral.height * spectral.width
    return (0..<c).flatMap { ch in spectral.gradient((0..<pixels).map { g[$0 * c + ch] }) }
}

/// Adam (Kingma & Ba, 2015) with its default β₁ = 0.9, β₂ = 0.999, ε = 1e-8, climbing.
struct Adam {
    let learningRate: Float
    private var m: [Float], v: [Float], t: Int = 0

    init(count: Int, learningRate: Float) {
        self.learningRate = learningRate
        m = [Float](repeating: 0, count: count)
        v = m
    }

    mutating func ascend(_ x: inout [Float], gradient g: [Float]) {
        t += 1
        let c1 = 1 - pow(0.9, Float(t)), c2 = 1 - pow(0.999, Float(t))
        for i in x.indices {
            m[i] = 0.9 * m[i] + 0.1 * g[i]
            v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i]
            x[i] += learningRate * (m[i] / c1) / ((v[i] / c2).squareRoot() + 1e-8)
        }
    }
}
