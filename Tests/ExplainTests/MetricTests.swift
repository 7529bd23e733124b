import CNN
import Common
import Foundation
import Render
import Testing
import TestSupport

@testable import Explain

/// Each metric against a case worked out by hand, mostly on a linear model, whose
/// explanations and perturbation effects are known exactly.
@Suite struct MetricTests {
    /// logit₀(x) = Σ wᵢ xᵢ + 0.5 and logit₁(x) = −Σ xᵢ on a 4×4 gray image, w > 0.
    static let weights: [Float] = (0..<16).map { 0.1 + 0.05 * Float($0) }

    static func linearModel() -> Model {
        let flat = Flatten(name: "f", inputShape: [4, 4, 1])
        var model = Model(
            name: "linear", inputShape: [4, 4, 1], layers: [flat, Dense(name: "d", inputShape: [16], units: 2)],
            seed: 1)
        model.parameters.set(
            "d/kernel", Tensor(shape: [16, 2], scalars: (0..<16).flatMap { [weights[$0], -1] }))
        model.parameters.set("d/bias", Tensor(shape: [2], scalars: [0.5, 0]))
        return model
    }

    static let image = Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map { 0.2 + 0.05 * Float($0 % 7) })

    static func input(_ maps: [Heatmap], model: Model = linearModel(), explain: MethodEntry? = nil) -> MetricInput {
        MetricInput(
            model: model, images: [image], targets: [0], maps: maps,
            explain: { model, image, k in
                let entry = explain ?? MethodCatalogue.named("vanilla")!
                return try entry.explain(ExplainedImage(pixels: image), target: .class(k), model: model).map
            })
    }

    static func map(_ values: [Float]) -> Heatmap { Heatmap(width: 4, height: 4, values: values) }

    @Test("map modifiers: +abs is the magnitude, +blur the 3×3 mean inside the image; the image baseline is the input")
    func mapModifiersAndTheImageBaseline() throws {
        let model = Self.linearModel(), image = ExplainedImage(pixels: Self.image)
        // logit₁ = −Σ xᵢ: its gradient is −1 everywhere, its magnitude 1.
        let signed = try MethodCatalogue.named("vanilla")!.explain(image, target: .class(1), model: model)
        let absolute = try #require(MethodCatalogue.named("vanilla+abs")).explain(
            image, target: .class(1), model: model)
        #expect(signed.map.values == [Float](repeating: -1, count: 16) && signed.isSigned)
        #expect(absolute.map.values == [Float](repeating: 1, count: 16) && !absolute.isSigned)
        #expect(absolute.method == "vanilla+abs" && MethodCatalogue.named("vanilla+abs")!.title == "Gradient, absolute")
        // logit₀'s gradient is w, laid out row by row: wᵢ = 0.1 + 0.05 i.
        let blurred = try #require(MethodCatalogue.named("vanilla+blur")).explain(
            image, target: .class(0), model: model)
        func w(_ indices: [Int]) -> Float { indices.map { Self.weights[$0] }.reduce(0, +) / Float(indices.count) }
        #expect(abs(blurred.map[0, 0] - w([0, 1, 4, 5])) < 1e-6)
        #expect(abs(blurred.map[1, 0] - w([0, 1, 2, 4, 5, 6])) < 1e-6)
        #expect(abs(blurred.map[1, 1] - w([0, 1, 2, 4, 5, 6, 8, 9, 10])) < 1e-6)
        #expect(abs(blurred.map[3, 3] - w([10, 11, 14, 15])) < 1e-6)
        #expect(blurred.isSigned)
        // Modifiers apply in order: the mean of −1s is −1, its magnitude 1.
        let both = try #require(MethodCatalogue.named("vanilla+blur+abs")).explain(
            image, target: .class(1), model: model)
        #expect(both.map.values.allSatisfy { abs($0 - 1) < 1e-6 })
        // The image itself.
        let itself = try #require(MethodCatalogue.named("image")).explain(image, target: .predicted, model: model)
        #expect(itself.map.values == Self.image.scalars && itself.targetClass == 0)
        // Unknown names say what is wrong and what was meant.
        #expect(MethodCatalogue.named("vanilla+ab") == nil && MethodCatalogue.named("vanilla+abs+abs") == nil)
        #expect(MethodCatalogue.named("gradcam++")?.name == "gradcam++")
        #expect(MethodCatalogue.named("gradcam+++blur")?.title == "Grad-CAM++, blurred 3×3")
        #expect(MethodCatalogue.problem(with: "vanilla+ab").suggestion == "vanilla+abs")
        #expect(MethodCatalogue.problem(with: "vanila+blur").suggestion == "vanilla+blur")
        #expect(
            MethodCatalogue.problem(with: "vanilla+abs+abs").message == "'vanilla+abs+abs' names a map modifier twice")
    }

    @Test func sparsenessAndComplexityOfExtremeMaps() {
        let oneHot = Self.map([1] + [Float](repeating: 0, count: 15))
        let uniform = Self.map([Float](repeating: 0.3, count: 16))
        let sparse = Sparseness().scores(Self.input([oneHot]))[0], flat = Sparseness().scores(Self.input([uniform]))[0]
        // Gini of one 1 among 16: (2·16 − 16 − 1) / 16 = 15/16 (the 1e-7 added to each moves it by < 1e-5).
        #expect(abs(sparse - 15.0 / 16) < 1e-5)
        #expect(abs(flat) < 1e-9)
        #expect(abs(Complexity().scores(Self.input([uniform]))[0] - log(16)) < 1e-9)
        #expect(Complexity().scores(Self.input([oneHot]))[0] == 0)
        // Signs do not matter to either: magnitudes are measured.
        let signed = Self.map((0..<16).map { $0 % 2 == 0 ? 0.3 : -0.3 })
        #expect(abs(Complexity().scores(Self.input([signed]))[0] - log(16)) < 1e-9)
    }

    /// Input × gradient of a linear model is exactly each pixel's share of the logit, so
    /// removing any subset drops the logit by the map's sum over it: correlation 1.
    @Test func faithfulnessCorrelationOfAnExactMap() throws {
        let exact = Self.map(zip(Self.weights, Self.image.scalars).map { $0 * $1 })
        let metric = FaithfulnessCorrelation(runs: 30, subsetSize: 5)
        #expect(abs(metric.scores(Self.input([exact]))[0] - 1) < 1e-5)
        // Reversed importance correlates negatively.
        let reversed = Self.map(exact.values.map { 1 - $0 })
        #expect(metric.scores(Self.input([reversed]))[0] < -0.5)
        // A constant map has no correlation at all.
        #expect(metric.scores(Self.input([Self.map([Float](repeating: 1, count: 16))]))[0].isNaN)
    }

    /// Deleting the most relevant pixels first lowers the target's probability faster
    /// than deleting the least relevant first; the area follows the trapezoid rule.
    @Test func pixelFlippingOrders() {
        let exact = Self.map(zip(Self.weights, Self.image.scalars).map { $0 * $1 })
        let morf = PixelFlipping(order: .morf, steps: 4).scores(Self.input([exact]))[0]
        let lerf = PixelFlipping(order: .lerf, steps: 4).scores(Self.input([exact]))[0]
        #expect(morf < lerf)
        #expect(abs(PixelFlipping.area([1, 0.5, 0]) - 0.5) < 1e-12)
        #expect(abs(PixelFlipping.area([1, 1, 0, 0]) - 0.5) < 1e-12)
    }

    /// ROAD's imputation solves each removed pixel as its neighbours' weighted mean: a
    /// plane is filled in exactly, and a constant image keeps its constant.
    @Test func noisyLinearImputationFillsPlanes() {
        let (h, w) = (5, 6)
        let plane: [Float] = (0..<(h * w)).map { Float($0 / w) * 0.1 + Float($0 % w) * 0.05 }
        var removed = [Bool](repeating: false, count: h * w)
        for p in [8, 9, 14, 15, 20] { removed[p] = true }
        var random = SeededRandom(seed: 1)
        let filled = NoisyLinearImputation.impute(
            plane, removed: removed, height: h, width: w, channels: 1, noise: 0, random: &random)
        for p in plane.indices { #expect(abs(filled[p] - plane[p]) < 1e-4, "pixel \(p)") }
    }

    /// The gradient of a linear model does not depend on the input: no noise moves it.
    @Test func sensitivityOfAConstantExplanation() throws {
        let gradient = Self.map(Self.weights)
        for aggregate in [Sensitivity.Aggregate.max, .avg] {
            let score = try Sensitivity(aggregate, samples: 5, radius: 0.05).scores(Self.input([gradient]))[0]
            #expect(abs(score) < 1e-9)
        }
        // The edges of the input do move with it.
        let edges = try MethodCatalogue.named("edge")!.explain(
            ExplainedImage(pixels: Self.image), target: .class(0), model: Self.linearModel()
        ).map
        let moved = try Sensitivity(.max, samples: 5, radius: 0.05).scores(
            Self.input([edges], explain: MethodCatalogue.named("edge")!))[0]
        #expect(moved > 0)
    }

    /// A map that ignores the class is the same for any other class: SSIM 1. The linear
    /// model's two gradients (w and −1) differ, so the gradient scores less.
    @Test func randomLogit() throws {
        let edge = MethodCatalogue.named("edge")!
        let edges = try edge.explain(ExplainedImage(pixels: Self.image), target: .class(0), model: Self.linearModel())
            .map
        let big = Heatmap(width: 8, height: 8, values: (0..<64).map { Float($0 % 9) / 9 })
        #expect(
            abs(
                StructuralSimilarity.mean(
                    big.values.map(Double.init), big.values.map(Double.init), width: 8, height: 8) - 1) < 1e-12)
        #expect(abs(try RandomLogit().scores(Self.input([edges], explain: edge))[0] - 1) < 1e-9)
        let gradient = try RandomLogit().scores(Self.input([Self.map(Self.weights)]))[0]
        #expect(gradient < 0.99)
    }

    /// Input × gradient of a linear model sums to the logit's change from black exactly;
    /// the plain gradient does not.
    @Test func completeness() {
        let exact = Self.map(zip(Self.weights, Self.image.scalars).map { $0 * $1 })
        #expect(Completeness().scores(Self.input([exact]))[0] < 1e-5)
        #expect(Completeness().scores(Self.input([Self.map(Self.weights)]))[0] > 0.5)
    }

    @Test func summaryIgnoresUndefinedScores() {
        let s = MetricSummary([1, 3, .nan])
        #expect(s.mean == 2 && s.count == 2 && abs(s.std - 2.0.squareRoot()) < 1e-12)
        #expect(MetricSummary([.nan]).mean.isNaN)
    }

    /// Infidelity reads a map as a rate, `Σ aᵢ Iᵢ` for a perturbation I: the gradient of a
    /// linear model predicts every patch's removal exactly; a zero map predicts no change,
    /// so its infidelity is the mean squared drop.
    @Test func infidelity() {
        #expect(Infidelity(patch: 2).scores(Self.input([Self.map(Self.weights)]))[0] < 1e-9)
        let zero = Infidelity(patch: 2).scores(Self.input([Self.map([Float](repeating: 0, count: 16))]))[0]
        // The four 2×2 patches' drops, worked out from the weights directly.
        var expected = 0.0
        for (y0, x0) in [(0, 0), (0, 2), (2, 0), (2, 2)] {
            var drop = 0.0
            for y in y0..<y0 + 2 {
                for x in x0..<x0 + 2 { drop += Double(Self.weights[y * 4 + x] * Self.image.scalars[y * 4 + x]) }
            }
            expected += drop * drop / 4
        }
        #expect(abs(zero - expected) < 1e-5)
    }

    /// On a white image, noise lowers every pixel, most where the weights are largest:
    /// perturbing the map's top regions first drops the logit more than the reverse order.
    /// A model that ignores its input drops nothing.
    @Test func regionPerturbation() {
        let white = Tensor(shape: [1, 4, 4, 1], scalars: [Float](repeating: 1, count: 16))
        func input(_ map: Heatmap, _ model: Model = Self.linearModel()) -> MetricInput {
            MetricInput(model: model, images: [white], targets: [0], maps: [map], explain: { _, _, _ in map })
        }
        let metric = RegionPerturbation(patch: 2)
        let exact = metric.scores(input(Self.map(Self.weights)))[0]
        let reversed = metric.scores(input(Self.map(Self.weights.map { -$0 })))[0]
        #expect(exact > reversed)
        var blind = Self.linearModel()
        blind.parameters.set("d/kernel", Tensor(shape: [16, 2], scalars: [Float](repeating: 0, count: 32)))
        #expect(metric.scores(input(Self.map(Self.weights), blind))[0] == 0)
    }

    /// The gradient of a linear model is the same everywhere: Lipschitz constant 0.
    @Test func localLipschitzOfAConstantExplanation() throws {
        #expect(try LocalLipschitzEstimate(samples: 4).scores(Self.input([Self.map(Self.weights)]))[0] < 1e-9)
    }

    /// A map that ignores the model survives any randomization (ρ = 1); the gradient of
    /// the randomized dense layer is another map.
    @Test func modelParameterRandomisation() throws {
        let edge = MethodCatalogue.named("edge")!
        let edges = try edge.explain(ExplainedImage(pixels: Self.image), target: .class(0), model: Self.linearModel())
            .map
        for order in [ModelParameterRandomisation.Order.cascading, .independent] {
            #expect(
                abs(try ModelParameterRandomisation(order).scores(Self.input([edges], explain: edge))[0] - 1) < 1e-12)
            #expect(try ModelParameterRandomisation(order).scores(Self.input([Self.map(Self.weights)]))[0] < 0.9)
        }
    }
}

/// The localisation metrics against a mask, on maps whose answers are counted by hand.
@Suite struct LocalisationMetricTests {
    static func input(_ map: [Float], mask: [Bool]?) -> MetricInput {
        MetricInput(
            model: MetricTests.linearModel(), images: [MetricTests.image], targets: [0],
            maps: [MetricTests.map(map)], masks: [mask], explain: { _, _, _ in MetricTests.map(map) })
    }

    @Test func scoresAgainstAMask() throws {
        // Mask: pixels 0, 1, 4, 5 (the top-left 2×2). Map: 4 at 0, 3 at 7, 2 at 1, 1 at 5, −5 at 4.
        let mask = (0..<16).map { [0, 1, 4, 5].contains($0) }
        var map = [Float](repeating: 0, count: 16)
        (map[0], map[7], map[1], map[5], map[4]) = (4, 3, 2, 1, -5)
        let input = Self.input(map, mask: mask)
        // Positive mass 4 + 3 + 2 + 1 = 10, of which 7 inside.
        #expect(abs(RelevanceMassAccuracy().scores(input)[0] - 0.7) < 1e-12)
        // The four highest: 0, 7, 1, 5 — three inside.
        #expect(RelevanceRankAccuracy().scores(input)[0] == 0.75)
        #expect(PointingGame().scores(input)[0] == 1)
        map[7] = 9
        #expect(PointingGame().scores(Self.input(map, mask: mask))[0] == 0)
        // No ground truth: undefined, left out of the mean.
        for metric in [RelevanceMassAccuracy() as any ExplanationMetric, RelevanceRankAccuracy(), PointingGame()] {
            #expect(try metric.scores(Self.input(map, mask: nil))[0].isNaN)
        }
    }

    /// A table shows localisation only for a model with a ground truth.
    @Test func defaultsFollowTheModel() {
        var model = MetricTests.linearModel()
        #expect(!MetricCatalogue.defaults(for: model).contains { $0.family == .localisation })
        model.training.shortcut = Shortcut(label: 0)
        #expect(MetricCatalogue.defaults(for: model).count == MetricCatalogue.all.count)
    }
}

/// SLIC superpixels and IROF, against segmentations and curves worked out by hand.
@Suite struct IROFTests {
    /// A flat image has only the spatial term: SLIC keeps its starting grid of step 3,
    /// centres at 1, 4, …, 25, so 81 squares (the last row and column 4 wide).
    @Test func superpixelsOfAFlatImageAreTheGrid() {
        let s = Superpixels([Float](repeating: 0.5, count: 784), height: 28, width: 28, channels: 1)
        #expect(s.count == 81)
        #expect(s.labels[0] == s.labels[2 * 28 + 2] && s.labels[0] != s.labels[3] && s.labels[0] != s.labels[3 * 28])
        #expect(s.labels[27 * 28 + 27] == s.labels[24 * 28 + 24] && s.labels[27 * 28 + 27] == 80)
    }

    /// With a small compactness, value dominates: no segment straddles a step edge.
    @Test func superpixelsFollowEdges() {
        let image = (0..<784).map { Float($0 % 28 < 13 ? 0 : 1) }
        let s = Superpixels(image, height: 28, width: 28, channels: 1, compactness: 0.01)
        for label in 0..<s.count {
            let values = Set(s.labels.indices.filter { s.labels[$0] == label }.map { image[$0] })
            #expect(values.count == 1, "segment \(label)")
        }
    }

    /// The map ranks the superpixels of a 4×4 image, each removed segment takes the mean
    /// of the image as it stands, and the linear model's probabilities are computed here.
    @Test func irofByHand() throws {
        let image = MetricTests.image.scalars
        let s = Superpixels(image, height: 4, width: 4, channels: 1, segments: 4)
        #expect(s.count >= 2)
        let block = s.labels
        // A value per segment; removal goes from the largest down.
        let rank = (0..<s.count).map { Double(($0 * 7) % s.count) }
        let order = (0..<s.count).sorted { rank[$0] > rank[$1] }
        let map = MetricTests.map((0..<16).map { Float(rank[block[$0]]) })
        func probability(_ x: [Double]) -> Double {
            let l0 = zip(MetricTests.weights, x).reduce(0.5) { $0 + Double($1.0) * $1.1 }, l1 = -x.reduce(0, +)
            return 1 / (1 + exp(l1 - l0))
        }
        var x = image.map(Double.init), curve: [Double] = []
        let p0 = probability(x)
        for b in order {
            let mean = x.reduce(0, +) / 16
            for p in 0..<16 where block[p] == b { x[p] = mean }
            curve.append(probability(x) / p0)
        }
        var area = 0.0
        for i in 1..<curve.count { area += (curve[i - 1] + curve[i]) / 2 }
        let score = IROF(segments: 4).scores(MetricTests.input([map]))[0]
        #expect(abs(score - (1 - area / Double(curve.count))) < 1e-5)
    }
}

/// What a metric draws at random comes from each image's own stream, and the model's
/// outputs a metric asks for depend on the image alone: an image scores the same whichever
/// images it is run with (so however a run is split across cores), and methods scored on
/// the same images share those outputs.
@Suite struct MetricReproducibilityTests {
    static let other = Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map { 0.9 - 0.04 * Float($0 % 5) })

    static func input(
        _ images: [Tensor], queries: ModelQueries = ModelQueries(), map: (Tensor) -> Heatmap
    )
        -> MetricInput
    {
        MetricInput(
            model: MetricTests.linearModel(), images: images, targets: images.map { _ in 0 }, maps: images.map(map),
            queries: queries,
            explain: { model, image, k in
                try MethodCatalogue.named("edge")!.explain(
                    ExplainedImage(pixels: image), target: .class(k), model: model
                )
                .map
            })
    }

    static func edges(_ image: Tensor) -> Heatmap {
        try! MethodCatalogue.named("edge")!.explain(
            ExplainedImage(pixels: image), target: .class(0), model: MetricTests.linearModel()
        ).map
    }

    @Test func scoresDoNotDependOnTheOtherImages() throws {
        let metrics: [any ExplanationMetric] = [
            FaithfulnessCorrelation(runs: 20, subsetSize: 5), Sensitivity(.avg, samples: 4, radius: 0.05),
            LocalLipschitzEstimate(samples: 4), ROAD(order: .morf), RegionPerturbation(), RandomLogit(),
        ]
        for metric in metrics {
            let together = try metric.scores(Self.input([MetricTests.image, Self.other], map: Self.edges))
            let alone = try metric.scores(Self.input([Self.other], map: Self.edges))
            #expect(together[1] == alone[0], "\(metric.name)")
            // Different images draw differently: the stream is not shared.
            #expect(
                Self.input([MetricTests.image, Self.other], map: Self.edges).streams[0]
                    != Self.input([Self.other], map: Self.edges).streams[0])
        }
    }

    /// A second method's scores read the first's model outputs and equal its own run's.
    @Test func methodsShareModelOutputs() throws {
        let queries = ModelQueries()
        let gradient = MetricTests.map(MetricTests.weights)
        for metric in [FaithfulnessCorrelation(runs: 20, subsetSize: 5) as any ExplanationMetric, Infidelity()] {
            _ = try metric.scores(Self.input([MetricTests.image], queries: queries, map: Self.edges))
            let shared = try metric.scores(Self.input([MetricTests.image], queries: queries) { _ in gradient })
            let own = try metric.scores(Self.input([MetricTests.image]) { _ in gradient })
            #expect(shared == own, "\(metric.name)")
        }
        #expect(queries.count == 2)
    }
}

/// The confidence interval of a metric's mean: Student's t against scipy's quantiles.
@Suite struct MetricSummaryTests {
    @Test func confidenceIntervalUsesStudentsT() {
        // scipy.stats.t.ppf(0.975, df) for df = 1, 9, 31, 50, 99.
        for (df, expected) in [(1, 12.7062), (9, 2.2622), (31, 2.03951), (50, 2.00856), (99, 1.98422)] {
            #expect(abs(MetricSummary.t975(degrees: df) - expected) < 2e-4, "df \(df)")
        }
        // Scores 1…10: mean 5.5, std √(55/6), half-width 2.2622 · std / √10.
        let s = MetricSummary((1...10).map(Double.init) + [.nan])
        #expect(s.count == 10 && s.mean == 5.5)
        #expect(abs(s.ci95 - 2.2622 * (55.0 / 6).squareRoot() / 10.0.squareRoot()) < 1e-3)
        #expect(MetricSummary([3]).ci95.isNaN)
    }
}
