import CNN
import Render

/// The data-randomization test (Adebayo et al., 2018): each method's maps on a model beside
/// its maps on the same network trained on shuffled labels, for the class the model
/// predicts, compared by `MapSimilarity`; beside the same similarity between two networks
/// with every weight random (the noise floor). A method whose maps stay alike explains the
/// image, not what the model learned.
public enum DataRandomization {
    /// One method as the test runs it: configured, at its layer for a CAM method.
    public struct Method: Sendable {
        public let method: any ExplanationMethod
        public let layer: String?
        public init(_ method: any ExplanationMethod, layer: String?) {
            self.method = method
            self.layer = layer
        }
    }

    /// The two maps of one image by one method.
    public struct Pair: Sendable {
        public let trained: Explanation
        public let other: Explanation
    }

    public struct Result: Sendable {
        /// `[method][measure][image]`: the trained model's map against the other's.
        public let similarities: [[[Double]]]
        /// `[method][measure][image]`: two random networks' maps against each other.
        public let floors: [[[Double]]]
        /// For each of the first images asked for, per method, its two maps (to draw).
        public let kept: [[Pair]]
    }

    /// Runs the test on `images`: `other` is `model` trained on shuffled labels, `seed`
    /// draws the two random networks of the floor; the maps of the first `keeping` images
    /// are returned.
    public static func run(
        images: [ExplainedImage], methods: [Method], measures: [MapSimilarity], model: Model, other: Model,
        seed: UInt64, keeping: Int
    ) throws(ExplainError) -> Result {
        let unrelated = SanityCheck(seed: seed).unrelatedModels(model)
        let (h, w) = (model.inputShape[0], model.inputShape[1])
        var values = Array(repeating: Array(repeating: [Double](), count: measures.count), count: methods.count)
        var floors = values
        var kept: [[Pair]] = []
        for (n, image) in images.enumerated() {
            let ink = image.gray.values.map { $0 > 0 }
            var pairs: [Pair] = []
            for (m, method) in methods.enumerated() {
                func explain(_ target: Target, _ on: Model) throws(ExplainError) -> Explanation {
                    try method.method.explain(image, target: target, layer: method.layer, model: on)
                }
                // Both models explain the class the trained model predicts, so that the
                // labels they were trained on are the only difference.
                let trained = try explain(.predicted, model), k = trained.targetClass
                let shuffled = try explain(.class(k), other)
                let a = trained.mapOnInput(height: h, width: w), b = shuffled.mapOnInput(height: h, width: w)
                let floorA = try explain(.class(k), unrelated.0).mapOnInput(height: h, width: w)
                let floorB = try explain(.class(k), unrelated.1).mapOnInput(height: h, width: w)
                for (i, measure) in measures.enumerated() {
                    values[m][i].append(measure(a, b, ink: ink))
                    floors[m][i].append(measure(floorA, floorB, ink: ink))
                }
                pairs.append(Pair(trained: trained, other: shuffled))
            }
            if n < keeping { kept.append(pairs) }
        }
        return Result(similarities: values, floors: floors, kept: kept)
    }
}
