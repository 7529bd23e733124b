import Foundation

/// Lucid's Fourier parametrization of an image (Olah et al., 2017, "Feature Visualization",
/// §"Preconditioning and parameterization"; lucid/optvis/param/spatial.py `fft_image`): each
/// channel is the inverse real 2-D DFT of a spectrum whose coefficients are scaled by
/// `1 / max(f, 1 / max(h, w))^decay`, so gradient steps change low frequencies as much as high
/// ones, the way natural images' power falls as 1/f. As Lucid: the spectrum is also scaled
/// by √(h w) (a unitary transform) and the image divided by 4.
struct SpectralImage {
    let height: Int, width: Int
    /// Frequencies kept along the width: 0 … w/2 (the rest mirror them).
    var columns: Int { width / 2 + 1 }
    /// Real parameters per channel: a real and an imaginary part per kept frequency.
    var count: Int { 2 * height * columns }
    /// Each coefficient's weight: Lucid's scale, irfft's 1/(h w) and doubling of mirrored
    /// columns, √(h w) and 1/4, folded into one number.
    private let weights: [Float]
    /// cos and sin of 2π k m / h and of 2π l n / w.
    private let rowCos: [Float], rowSin: [Float], columnCos: [Float], columnSin: [Float]

    init(height: Int, width: Int, decay: Float = 1) {
        self.height = height
        self.width = width
        let columns = width / 2 + 1
        var weights = [Float](repeating: 0, count: height * columns)
        for k in 0..<height {
            let fy = Float(k < (height + 1) / 2 ? k : k - height) / Float(height)
            for l in 0..<columns {
                let fx = Float(l) / Float(width)
                let frequency = max((fy * fy + fx * fx).squareRoot(), 1 / Float(max(height, width)))
                let mirrored: Float = (l == 0 || (width % 2 == 0 && l == width / 2)) ? 1 : 2
                let scale = 1 / pow(frequency, decay) * Float(height * width).squareRoot()
                weights[k * columns + l] = mirrored * scale / Float(height * width) / 4
            }
        }
        self.weights = weights
        func table(_ n: Int, _ f: (Double) -> Double) -> [Float] {
            (0..<(n * n)).map { Float(f(2 * Double.pi * Double(($0 / n) * ($0 % n)) / Double(n))) }
        }
        rowCos = table(height, cos)
        rowSin = table(height, sin)
        columnCos = table(width, cos)
        columnSin = table(width, sin)
    }

    /// The image `s[m, n] = Σ_kl weight · Re((a + i b) e^{2πi(km/h + ln/w)})` of one channel's
    /// parameters `[a, b]` (`count` values: all real parts, then all imaginary parts).
    func image(_ p: ArraySlice<Float>) -> [Float] {
        let (h, w, cols) = (height, width, columns), base = p.startIndex, half = h * cols
        // Along the width first: t[k, n] = Σ_l weight (a + i b) e^{2πi ln/w}.
        var tRe = [Float](repeating: 0, count: h * w), tIm = tRe
        for k in 0..<h {
            for l in 0..<cols {
                let weight = weights[k * cols + l]
                let a = weight * p[base + k * cols + l], b = weight * p[base + half + k * cols + l]
                guard a != 0 || b != 0 else { continue }
                for n in 0..<w {
                    let c = columnCos[l * w + n], s = columnSin[l * w + n]
                    tRe[k * w + n] += a * c - b * s
                    tIm[k * w + n] += a * s + b * c
                }
            }
        }
        // Then the real part along the height: s[m, n] = Re Σ_k t[k, n] e^{2πi km/h}.
        var out = [Float](repeating: 0, count: h * w)
        for m in 0..<h {
            for k in 0..<h {
                let c = rowCos[k * h + m], s = rowSin[k * h + m]
                for n in 0..<w { out[m * w + n] += tRe[k * w + n] * c - tIm[k * w + n] * s }
            }
        }
        return out
    }

    /// The adjoint: the gradient with respect to one channel's parameters of `Σ g ⊙ image(p)`.
    func gradient(_ g: [Float]) -> [Float] {
        let (h, w, cols) = (height, width, columns), half = h * cols
        // u[k, n] = Σ_m g[m, n] e^{2πi km/h}, then v[k, l] = Σ_n u[k, n] e^{2πi ln/w}.
        var uRe = [Float](repeating: 0, count: h * w), uIm = uRe
        for k in 0..<h {
            for m in 0..<h {
                let c = rowCos[k * h + m], s = rowSin[k * h + m]
                for n in 0..<w {
                    uRe[k * w + n] += g[m * w + n] * c
                    uIm[k * w + n] += g[m * w + n] * s
                }
            }
        }
        var out = [Float](repeating: 0, count: count)
        for k in 0..<h {
            for l in 0..<cols {
                var vRe: Float = 0, vIm: Float = 0
                for n in 0..<w {
                    let c = columnCos[l * w + n], s = columnSin[l * w + n]
                    vRe += uRe[k * w + n] * c - uIm[k * w + n] * s
                    vIm += uRe[k * w + n] * s + uIm[k * w + n] * c
                }
                let weight = weights[k * cols + l]
                out[k * cols + l] = weight * vRe
                out[half + k * cols + l] = -weight * vIm
            }
        }
        return out
    }
}
