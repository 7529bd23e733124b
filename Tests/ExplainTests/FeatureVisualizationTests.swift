import CNN
import Foundation
import Testing
import TestSupport

@testable import Explain

/// Lucid's parametrization, transforms and diversity term, each against a hand-derived
/// value or its own definition, and the optimizer end to end on a small model.
@Suite struct FeatureVisualizationTests {
    /// One coefficient of a 6×6 spectrum, without 1/f scaling (decay 0): irfft2 gives
    /// `(2 / 36) cos(2π(m/6 + 2n/6))` (column 2 is mirrored, so doubled), times Lucid's
    /// √36 and 1/4; an imaginary coefficient gives `−sin`.
    @Test func spectralImageOfOneCoefficient() {
        let spectral = SpectralImage(height: 6, width: 6, decay: 0)
        #expect(spectral.count == 2 * 6 * 4)
        for imaginary in [false, true] {
            var p = [Float](repeating: 0, count: spectral.count)
            p[(imaginary ? 24 : 0) + 1 * 4 + 2] = 1
            let image = spectral.image(p[...])
            let expected = (0..<36).map { i -> Float in
                let angle = 2 * Float.pi * (Float(i / 6) / 6 + 2 * Float(i % 6) / 6)
                return 6 / 4 * 2 / 36 * (imaginary ? -sin(angle) : cos(angle))
            }
            #expect(maxAbsDifference(image, expected) < 1e-6)
        }
    }

    /// The gradient is the transposed map: ⟨g, image(p)⟩ = ⟨gradient(g), p⟩.
    @Test func spectralGradientIsTheAdjoint() {
        let spectral = SpectralImage(height: 7, width: 8)
        let p = randomTensor([spectral.count], seed: 1).scalars, g = randomTensor([56], seed: 2).scalars
        let forward = zip(g, spectral.image(p[...])).reduce(0) { $0 + $1.0 * $1.1 }
        let backward = zip(spectral.gradient(g), p).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(forward - backward) < 1e-4 * max(1, abs(forward)))
    }

    @Test func randomWarpIsBilinearSamplingAndItsAdjoint() {
        var random = SeededRandom(seed: 3)
        // No shift, scale 1, angle 0: the identity.
        let identity = RandomWarp(jitter: 0, scales: [1], angles: [0]).draw(
            height: 5, width: 5, channels: 2, random: &random)
        let x = randomTensor([50], seed: 4).scalars
        #expect(maxAbsDifference(identity.apply(x), x) < 1e-6)
        // Any drawn warp: ⟨g, warp(x)⟩ = ⟨pullBack(g), x⟩ (fill 0 outside).
        let warp = RandomWarp().draw(height: 9, width: 9, channels: 1, random: &random)
        let y = randomTensor([81], seed: 5).scalars, g = randomTensor([81], seed: 6).scalars
        let forward = zip(g, warp.apply(y)).reduce(0) { $0 + $1.0 * $1.1 }
        let backward = zip(warp.pullBack(g), y).reduce(0) { $0 + $1.0 * $1.1 }
        #expect(abs(forward - backward) < 1e-4)
    }

    /// The diversity gradient against central differences of the diversity itself.
    @Test func diversityGradientMatchesFiniteDifferences() {
        let (n, positions, k) = (3, 4, 3)
        func diversity(_ a: [Float]) -> Double {
            let grams = (0..<n).map { i -> [Double] in
                var g = [Double](repeating: 0, count: k * k)
                for p in 0..<positions {
                    for r in 0..<k {
                        for s in 0..<k {
                            g[r * k + s] += Double(a[(i * positions + p) * k + r] * a[(i * positions + p) * k + s])
                        }
                    }
                }
                let norm = g.reduce(0) { $0 + $1 * $1 }.squareRoot()
                return g.map { $0 / norm }
            }
            var total = 0.0
            for i in 0..<n {
                for j in 0..<n where j != i { total += zip(grams[i], grams[j]).reduce(0) { $0 + $1.0 * $1.1 } }
            }
            return total / Double(n)
        }
        let a = randomTensor([n * positions * k], seed: 7, low: 0.1, high: 1).scalars
        let analytic = FeatureVisualization.diversityGradient(a, images: n, channels: k)
        for index in [0, 5, 17, 30] {
            var plus = a, minus = a
            plus[index] += 1e-3
            minus[index] -= 1e-3
            let numeric = (diversity(plus) - diversity(minus)) / 2e-3
            #expect(abs(numeric - Double(analytic[index])) < 1e-3, "index \(index)")
        }
    }

    /// On a small model: the objective rises, the same seed gives the same bits, and the
    /// diversity term makes the images differ more than independent starts do.
    @Test func optimizationRaisesTheUnitReproducibly() throws {
        let model = tinyModel(seed: 4)
        let start = try FeatureVisualization(steps: 0).visualize(model, layer: "preds", unit: 3)[0].activation
        let run = FeatureVisualization(steps: 40)
        let a = try run.visualize(model, layer: "preds", unit: 3), b = try run.visualize(model, layer: "preds", unit: 3)
        #expect(a[0].activation > start + 0.2, "\(start) → \(a[0].activation)")
        #expect(a[0].pixels == b[0].pixels)
        #expect(a[0].pixels.allSatisfy { (0...1).contains($0) })
        func spread(_ results: [ActivationMaximization.Result]) -> Float {
            zip(results[0].pixels, results[1].pixels).reduce(0) { $0 + abs($1.0 - $1.1) }
        }
        let together = try FeatureVisualization(images: 2, diversity: 0, steps: 40).visualize(
            model, layer: "conv2d_2", unit: 1)
        let apart = try FeatureVisualization(images: 2, diversity: 50, steps: 40).visualize(
            model, layer: "conv2d_2", unit: 1)
        #expect(spread(apart) > spread(together), "\(spread(together)) → \(spread(apart))")
    }
}
