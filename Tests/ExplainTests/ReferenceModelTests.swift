import CNN
import Common
import Explain
import Foundation
import Render
import Testing
import TestSupport

/// Explanations of a small trained-shape CNN checked against independent computations.
@Suite struct ReferenceModelTests {
    /// Random biases: with Keras's zero biases, the ReLUs over the black background sit
    /// exactly at their kink, where finite differences cannot check a gradient.
    let model: Model = {
        var m = tinyModel(seed: 12, filters: (8, 16), hidden: 32)
        for (i, entry) in m.parameters.entries.enumerated() where entry.shape.count == 1 {
            m.parameters.set(entry.key, randomTensor(entry.shape, seed: UInt64(i), low: -0.1, high: 0.1))
        }
        return m
    }()
    let digit = ExplainedImage(pixels: sharedMNIST.test.images.samples(0..<1), label: sharedMNIST.test.labels[0])
    /// The digit with faint noise: over a constant black background, max-pooling windows
    /// hold exact ties, where finite differences cannot check a gradient.
    var noisyDigit: ExplainedImage {
        let noise = randomTensor([1, 28, 28, 1], seed: 9, low: 0, high: 0.05)
        return ExplainedImage(
            pixels: Tensor(shape: [1, 28, 28, 1], scalars: zip(digit.pixels.scalars, noise.scalars).map(+)))
    }

    /// A = conv2d_2's output from a forward pass on the exact kernels (im2col: equal inputs,
    /// equal outputs), and G = d logit[target] / dA written
    /// out loop by loop in Double for the layers above it (max pooling routes to the first
    /// maximum, as PyTorch; dense_1's ReLU; preds' column).
    func directActivationsAndGradients(target: Int) -> (a: [Double], g: [Double]) {
        let workspace = Workspace(model: model, capacity: 1)
        workspace.setInput(digit.pixels)
        model.forward(workspace, batch: 1, through: 1)
        let a = workspace.output(of: 1, batch: 1, shape: [24, 24, 16]).scalars.map(Double.init)
        let (w1, b1) = (model.parameters["dense_1/kernel"]!.scalars, model.parameters["dense_1/bias"]!.scalars)
        let w2 = model.parameters["preds/kernel"]!.scalars
        let (c, hidden) = (16, 32)
        var pooled = [Double](repeating: 0, count: 12 * 12 * c), winner = [Int](repeating: 0, count: 12 * 12 * c)
        for y in 0..<12 {
            for x in 0..<12 {
                for k in 0..<c {
                    var best = -Double.infinity, at = 0
                    for dy in 0..<2 {
                        for dx in 0..<2 {
                            let i = ((2 * y + dy) * 24 + 2 * x + dx) * c + k
                            if a[i] > best { best = a[i]; at = i }
                        }
                    }
                    pooled[(y * 12 + x) * c + k] = best; winner[(y * 12 + x) * c + k] = at
                }
            }
        }
        let h = (0..<hidden).map { j in
            (0..<pooled.count).reduce(Double(b1[j])) { $0 + pooled[$1] * Double(w1[$1 * hidden + j]) }
        }
        let gh = (0..<hidden).map { j in h[j] > 0 ? Double(w2[j * 10 + target]) : 0 }
        var ga = [Double](repeating: 0, count: a.count)
        for i in 0..<pooled.count {
            ga[winner[i]] += (0..<hidden).reduce(0.0) { $0 + Double(w1[i * hidden + $1]) * gh[$1] }
        }
        return (a, ga)
    }

    /// Grad-CAM against the direct computation, to 1e-5: ReLU(Σ_k mean(G_k) A_k).
    @Test func gradCAMMatchesDirectComputation() throws {
        let e = try GradCAM().explain(digit, layer: "conv2d_2", target: .class(3), model: model)
        let (a, ga) = directActivationsAndGradients(target: 3), c = 16
        let weights = (0..<c).map { k in (0..<576).reduce(0.0) { $0 + ga[$1 * c + k] } / 576 }
        let expected = (0..<576).map { p in max((0..<c).reduce(0.0) { $0 + weights[$1] * a[p * c + $1] }, 0) }
        let scale = expected.max()!
        #expect(scale > 0)
        #expect(zip(e.map.values, expected).allSatisfy { abs(Double($0) - $1) <= 1e-5 * scale })
    }

    /// Guided Grad-CAM: the guided input gradient times Grad-CAM stretched bilinearly over
    /// the input (Captum's `GuidedGradCam`, bilinear), and with its cells at their
    /// receptive-field centres (2-pixel border, stride 1: the map shifted, not stretched).
    @Test func guidedGradCAMIsGuidedGradientTimesPlacedCAM() throws {
        let guided = GradientEngine(model: model).gradients(digit.pixels, classes: [3], rule: .guided).gradients
        let cam = try GradCAM().explain(digit, layer: "conv2d_2", target: .class(3), model: model).map
        let stretched = cam.resized(width: 28, height: 28)
        let e = try GuidedGradCAM(upsampling: .stretch).explain(
            digit, target: .class(3), layer: "conv2d_2", model: model)
        let expected = (0..<784).map { guided.scalars[$0] * stretched.values[$0] }
        let scale = expected.map(abs).max()!
        #expect(scale > 0 && e.isSigned && e.targetClass == 3 && e.layer == "conv2d_2")
        #expect(zip(e.map.values, expected).allSatisfy { abs($0 - $1) <= 1e-5 * scale })
        let centred = try GuidedGradCAM().explain(digit, target: .class(3), layer: nil, model: model).map
        for (y, x) in [(2, 2), (10, 17), (25, 25)] {
            // Inside the border each pixel sits on a cell centre: cell (y − 2, x − 2).
            let expected = guided.scalars[y * 28 + x] * cam[x - 2, y - 2]
            #expect(abs(centred[x, y] - expected) <= 1e-5 * scale)
        }
        #expect(centred[0, 0] == guided.scalars[0] * cam[0, 0])
    }

    /// HiResCAM and Layer-CAM read each cell's own gradient, so over the digit's blank
    /// background the max-pooling ties must route as PyTorch routes them (the first cell).
    @Test func cellwiseCAMsMatchDirectComputation() throws {
        let (a, ga) = directActivationsAndGradients(target: 3), c = 16
        let hiRes = (0..<576).map { p in max((0..<c).reduce(0.0) { $0 + ga[p * c + $1] * a[p * c + $1] }, 0) }
        let layer = (0..<576).map { p in max((0..<c).reduce(0.0) { $0 + max(ga[p * c + $1], 0) * a[p * c + $1] }, 0) }
        for (method, expected) in [(HiResCAM() as any CAMWeighting, hiRes), (LayerCAM(), layer)] {
            let e = try method.explain(digit, layer: "conv2d_2", target: .class(3), model: model)
            let scale = expected.max()!
            #expect(scale > 0)
            #expect(zip(e.map.values, expected).allSatisfy { abs(Double($0) - $1) <= 1e-5 * scale }, "\(method.name)")
        }
    }

    /// Tolerance 5% of the largest value: a ReLU whose input crosses zero within the step
    /// bends the finite difference a little; a wrong gradient is off by far more.
    @Test func saliencyMatchesFiniteDifferences() throws {
        let digit = noisyDigit
        let e = try VanillaGradient().explain(digit, target: .class(7), model: model)
        var random = SeededRandom(seed: 3)
        let scale = e.map.values.map(abs).max()!
        for _ in 0..<25 {
            let i = Int(random.next() % 784)
            var plus = digit.pixels, minus = digit.pixels
            plus.scalars[i] += 1e-4; minus.scalars[i] -= 1e-4
            let numeric = (model.logits(plus).scalars[7] - model.logits(minus).scalars[7]) / 2e-4
            #expect(abs(numeric - e.map.values[i]) / scale < 5e-2, "pixel \(i)")
        }
    }

    @Test func integratedGradientsAreComplete() throws {
        // Σ IG ≈ F(x) − F(0) (Sundararajan et al., 2017, proposition 1).
        let e = try IntegratedGradients(steps: 64).explain(digit, target: .class(7), model: model)
        let fx = model.logits(digit.pixels).scalars[7], f0 = model.logits(Tensor(shape: [1, 28, 28, 1])).scalars[7]
        let total = e.map.values.reduce(0, +)
        #expect(abs(total - (fx - f0)) < 0.02 * max(abs(fx - f0), 1), "\(total) vs \(fx - f0)")
    }

    /// Every baseline kind: the attributions add up to F(x) minus the mean F(x') of the
    /// baselines the method reports, the baselines are what their kind says, and pixels equal
    /// to a single baseline get exactly nothing.
    @Test(arguments: IGBaseline.allCases) func integratedGradientsBaselines(_ kind: IGBaseline) throws {
        let background = BackgroundImages(sharedMNIST.train.images.samples(0..<20))
        let image = ExplainedImage(pixels: digit.pixels, label: digit.label, background: background)
        // Logits 50× the test model's, so that the baselines' scores differ measurably.
        var model = model
        let kernel = model.parameters["preds/kernel"]!
        model.parameters.set("preds/kernel", Tensor(shape: kernel.shape, scalars: kernel.scalars.map { $0 * 50 }))
        let ig = IntegratedGradients(steps: 256, baseline: kind, sigma: 3, draws: 4)
        let references = try ig.baselines(for: image, shape: [28, 28, 1])
        let x = digit.pixels.scalars
        #expect(references.count == (kind.isDrawn ? 4 : 1))
        #expect(try ig.baselines(for: image, shape: [28, 28, 1]) == references, "seeded by the image")
        switch kind {
        case .black: #expect(references[0].allSatisfy { $0 == 0 })
        case .maxDistance: #expect(zip(x, references[0]).allSatisfy { abs($0 - $1) >= 0.5 })
        case .blur:
            // A Gaussian keeps the mean (edges clamped, so nearly) and lowers the peak.
            let (blurredInk, ink): (Float, Float) = (references[0].reduce(0, +), x.reduce(0, +))
            #expect(abs(blurredInk - ink) < 0.05 * ink)
            #expect(references[0].max()! < x.max()! - 0.2)
        case .uniform: #expect(references.joined().allSatisfy { (0...1).contains($0) })
        case .data:
            let train = sharedMNIST.train.images.scalars
            let candidates: [[Float]] = (0..<20).map { Array(train[($0 * 784)..<(($0 + 1) * 784)]) }
            for r in references { #expect(candidates.contains(r)) }
        }
        let e = try ig.explain(image, target: .class(7), model: model)
        let fx = model.logits(digit.pixels).scalars[7]
        let fBaseline = references.map { model.logits(Tensor(shape: [1, 28, 28, 1], scalars: $0)).scalars[7] }
        let expected = fx - fBaseline.reduce(0, +) / Float(references.count)
        let total = e.map.values.reduce(0, +)
        let tolerance = 3e-3 + 0.02 * abs(expected)  // quadrature over ReLU kinks
        #expect(abs(total - expected) < tolerance, "\(kind): \(total) vs \(expected)")
        if kind != .black {
            // The sum tells this baseline from black's.
            let fromBlack = fx - model.logits(Tensor(shape: [1, 28, 28, 1])).scalars[7]
            #expect(abs(expected - fromBlack) > 2 * tolerance, "\(kind)")
        }
        if references.count == 1 {
            for i in 0..<784 where x[i] == references[0][i] { #expect(e.map.values[i] == 0) }
        }
    }

    @Test func integratedGradientsAttributeUsesItsBaseline() throws {
        let ig = IntegratedGradients(steps: 8, baseline: .blur, sigma: 2)
        let viaExplain = try ig.explain(digit, target: .class(7), model: model).map
        #expect(ig.attribute(digit.pixels, targetClass: 7, engine: GradientEngine(model: model)) == viaExplain)
    }

    @Test func integratedGradientsDataBaselineNeedsTrainingImages() {
        #expect(throws: ExplainError.noBackground(method: "integrated-gradients")) {
            try IntegratedGradients(baseline: .data).explain(digit, target: .class(7), model: model)
        }
    }

    @Test func smoothGradIsSeededAndReducesToVanillaWithoutNoise() throws {
        let engine = GradientEngine(model: model)
        let a = SmoothGrad(samples: 8, noise: 0.1, seed: 4).attribute(digit.pixels, targetClass: 2, engine: engine)
        let b = SmoothGrad(samples: 8, noise: 0.1, seed: 4).attribute(digit.pixels, targetClass: 2, engine: engine)
        #expect(a == b)
        let quiet = SmoothGrad(samples: 3, noise: 0, aggregate: .mean).attribute(
            digit.pixels, targetClass: 2, engine: engine)
        let vanilla = VanillaGradient().attribute(digit.pixels, targetClass: 2, engine: engine)
        #expect(maxAbsDifference(quiet.values, vanilla.values) < 1e-6)
    }

    /// The aggregates against their definitions, from the same noisy gradients computed here.
    @Test func smoothGradAggregates() throws {
        let engine = GradientEngine(model: model)
        let image = digit.pixels, samples = 6
        let range = image.scalars.max()! - image.scalars.min()!
        var random = SeededRandom(seed: 0, stream: 0x5307)
        var batch = [Float](repeating: 0, count: samples * 784)
        for s in 0..<samples {
            for i in 0..<784 { batch[s * 784 + i] = image.scalars[i] + 0.2 * range * random.normal() }
        }
        let g = engine.gradients(
            Tensor(shape: [samples, 28, 28, 1], scalars: batch), classes: Array(repeating: 4, count: samples)
        )
        .gradients.scalars
        func column(_ i: Int) -> [Float] { (0..<samples).map { g[$0 * 784 + i] } }
        for aggregate in SmoothGrad.Aggregate.allCases {
            let map = SmoothGrad(samples: samples, noise: 0.2, aggregate: aggregate).attribute(
                image, targetClass: 4, engine: engine)
            let expected = (0..<784).map { i -> Float in
                let v = column(i), mean = v.reduce(0, +) / Float(samples)
                switch aggregate {
                case .meanOfMagnitudes: return v.map(abs).reduce(0, +) / Float(samples)
                case .magnitudeOfMean: return abs(mean)
                case .mean: return mean
                case .squared: return v.map { $0 * $0 }.reduce(0, +) / Float(samples)
                case .variance: return v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(samples)
                }
            }
            let scale = expected.map(abs).max()!
            #expect(scale > 0 && maxAbsDifference(map.values, expected) < 1e-4 * scale, "\(aggregate)")
        }
    }

    @Test func gaussLegendreIntegratesPolynomialsExactly() {
        // n nodes integrate degree 2n − 1 exactly; ∫₀¹ x⁷ dx = 1/8. IG with a constant
        // gradient reduces to the weights summing to 1.
        let image = Tensor(shape: [1, 28, 28, 1], repeating: 1)
        let linear = Model(
            name: "l", inputShape: [28, 28, 1],
            layers: [
                Flatten(name: "f", inputShape: [28, 28, 1]), Dense(name: "d", inputShape: [784], units: 10),
            ], seed: 2)
        let ig = IntegratedGradients(steps: 4).attribute(image, targetClass: 0, engine: GradientEngine(model: linear))
        let w = linear.parameters["d/kernel"]!
        #expect(abs(ig.values[100] - w[100, 0]) < 1e-5)
    }

    @Test func eigenCAMOfRankOneActivationsIsTheirPattern() throws {
        // A[p, k] = u_p · v_k: centred, the first component is v and the map ReLU(u − ū)·|v|.
        let u: [Float] = [0, 1, 4, 2], v: [Float] = [0.6, 0.8]
        let acts = (0..<4).flatMap { p in v.map { u[p] * $0 } }
        let ctx = CAMContext(
            activations: acts, gradients: acts, height: 2, width: 2, channels: 2,
            image: Tensor(shape: [1, 2, 2, 1]), targetClass: 0, layer: 0,
            engine: GradientEngine(model: tinyModel()))
        let map = EigenCAM().map(ctx).values
        let mean = u.reduce(0, +) / 4
        #expect(maxAbsDifference(map, u.map { max($0 - mean, 0) }) < 1e-5)
    }

    /// A projection of centred activations sums to zero, so its sum cannot choose the
    /// singular vector's sign (the old rule lit up the background on 5 of the first 16
    /// test digits). The map must correlate positively with the activations' total.
    @Test func eigenCAMLightsUpWhereTheLayerResponds() {
        let (h, w, k) = (6, 6, 8)
        var backgroundMaps: [Int] = []
        for seed in 0..<24 {
            var random = SeededRandom(seed: UInt64(seed))
            var acts = [Float](repeating: 0, count: h * w * k)
            for p in 0..<(h * w) {
                let inside = (1...4).contains(p / w) && (2...3).contains(p % w)
                for j in 0..<k {
                    let response = inside ? random.uniform(0.5, 2) * Float(j % 3 + 1) : 0
                    acts[p * k + j] = max(0, response + random.uniform(-0.1, 0.3))
                }
            }
            let ctx = CAMContext(
                activations: acts, gradients: acts, height: h, width: w, channels: k,
                image: Tensor(shape: [1, h, w, 1]), targetClass: 0, layer: 0,
                engine: GradientEngine(model: tinyModel()))
            let map = EigenCAM().map(ctx).values.map(Double.init)
            let total = (0..<(h * w)).map { p in (0..<k).reduce(0.0) { $0 + Double(acts[p * k + $1]) } }
            let (mm, mt) = (map.reduce(0, +) / Double(map.count), total.reduce(0, +) / Double(total.count))
            let covariance = zip(map, total).reduce(0.0) { $0 + ($1.0 - mm) * ($1.1 - mt) }
            if covariance <= 0 { backgroundMaps.append(seed) }
        }
        #expect(backgroundMaps.isEmpty, "seeds whose map lights up the background: \(backgroundMaps)")
    }

    @Test func allCAMMethodsGiveFiniteNonNegativeMapsAtTheLayerResolution() throws {
        for entry in MethodCatalogue.family(.cam) {
            let e = try entry.explain(digit, target: .predicted, layer: "conv2d_2", model: model)
            #expect(e.map.width == 24 && e.map.height == 24, "\(entry.name)")
            #expect(e.map.values.allSatisfy { $0.isFinite && $0 >= 0 }, "\(entry.name)")
        }
        let early = try GradCAM().explain(digit, layer: "conv2d_1", target: .predicted, model: model)
        #expect(early.map.width == 26)
    }

    @Test func filtersAreTheKernelSlices() throws {
        let filters = try Filters.kernels(of: model, layer: "conv2d_2")
        #expect(filters.count == 16 && filters[0].count == 8)
        let kernel = model.parameters["conv2d_2/kernel"]!
        #expect(filters[5][3][2, 1] == kernel[1, 2, 3, 5])
        let maps = try FeatureMaps.compute(model, image: digit.pixels, layer: "conv2d_1")
        #expect(maps.count == 8 && maps[0].width == 26)
        #expect(maps[2][4, 5] == model.outputs(digit.pixels)[0][0, 5, 4, 2])
    }

    /// A colour model is maximized in colour, as a picture in [0, 1] fed through its
    /// normalization; the ascent raises the class score either way.
    @Test func activationMaximizationOfAColourModel() throws {
        let conv = Conv2D(name: "c", inputShape: [6, 6, 3], filters: 4, kernelSize: (3, 3), activation: .relu)
        let flat = Flatten(name: "f", inputShape: conv.outputShape)
        let rgb = Model(
            name: "rgb", inputShape: [6, 6, 3],
            layers: [conv, flat, Dense(name: "d", inputShape: flat.outputShape, units: 2)], seed: 3)
        let am = ActivationMaximization(steps: 40, l2: 0, totalVariation: 0, jitter: 0, seed: 2)
        let zero = ActivationMaximization(steps: 0, l2: 0, totalVariation: 0, jitter: 0, seed: 2)
        let caffe = InputNormalization(scale: 1 / 255, mean: [0.5], std: [0.25], bgr: true)
        for normalization in [InputNormalization.standard, caffe] {
            let r = try am.maximize(rgb, layer: "d", unit: 1, normalization: normalization)
            #expect(r.channels == 3 && r.pixels.count == 108 && r.colour?.width == 6)
            #expect(r.pixels.allSatisfy { $0 >= 0 && $0 <= 1 })
            let start = try zero.maximize(rgb, layer: "d", unit: 1, normalization: normalization)
            #expect(r.activation > start.activation + 0.5, "\(start.activation) → \(r.activation)")
            // The reported score is the model's on the picture as it is fed.
            let fed = Tensor(shape: [1, 6, 6, 3], scalars: normalization.normalize(r.pixels, channels: 3))
            #expect(abs(rgb.logits(fed).scalars[1] - r.activation) < 1e-4 * max(1, abs(r.activation)))
        }
    }

    @Test func activationMaximizationIsSeededAndRaisesTheUnit() throws {
        // Without regularizers, ascent must raise the unit.
        let am = ActivationMaximization(steps: 30, l2: 0, totalVariation: 0, jitter: 0, seed: 5)
        let a = try am.maximize(model, layer: "conv2d_2", unit: 3)
        let b = try am.maximize(model, layer: "conv2d_2", unit: 3)
        #expect(a.image == b.image)
        #expect(a.image.values.allSatisfy { $0 >= 0 && $0 <= 1 })
        let start = try ActivationMaximization(steps: 0, l2: 0, totalVariation: 0, jitter: 0, seed: 5).maximize(
            model, layer: "conv2d_2", unit: 3)
        #expect(a.activation > 1.3 * start.activation, "\(start.activation) → \(a.activation)")
        let regularized = try ActivationMaximization(steps: 30, seed: 5).maximize(model, layer: "conv2d_2", unit: 3)
        #expect(regularized.image != a.image)
        #expect(throws: ExplainError.classOutOfRange(99, classes: 10)) {
            try am.maximize(model, layer: "preds", unit: 99)
        }
    }
}
