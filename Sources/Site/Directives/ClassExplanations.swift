import Common
import CNN
import Explain
import Render

/// The first `count` held-out images of each class, each explained by one method, and the
/// mean picture of each class: what `mean-heatmaps` and `screening` average.
struct ClassExplanations {
    /// The option both take: explain each image's true class or the predicted one.
    static let target = DirectiveOption(
        "target", "predicted or true", default: "true", "Explain each image's true class or the predicted one.")

    /// The colormap and scale of the class rows both figures draw.
    static let colormap = DirectiveOption("colormap", "a colormap name", default: "viridis", "The colormap.")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "2", "Display pixels per input pixel.")

    static func target(_ options: DirectiveOptions) throws(SourceError) -> Target {
        try target.choice(options, from: ["true", "predicted"], default: "true") == "true" ? .trueLabel : .predicted
    }

    let split: String
    /// Per class with images, in class order.
    let classes: [Int]
    let images: [[SelectedImage]]
    let explanations: [[Explanation]]
    let meanPictures: [RGBAImage]

    init(_ context: DirectiveContext, method: ConfiguredMethod, target: Target, count: Int) throws {
        let (split, held, _) = try context.heldOut()
        let pictures = try context.data.get().pictures(split)
        let (h, w, c) = (held.images.shape[1], held.images.shape[2], held.images.shape[3])
        var classes: [Int] = [], images: [[SelectedImage]] = [], explanations: [[Explanation]] = []
        var meanPictures: [RGBAImage] = []
        for k in 0..<context.classes {
            let indices = held.labels.indices.filter { held.labels[$0] == k }.prefix(count)
            guard !indices.isEmpty else { continue }
            var pictureSum = [Float](repeating: 0, count: h * w * c)
            var selected: [SelectedImage] = [], explained: [Explanation] = []
            for i in indices {
                let image = SelectedImage(
                    pixels: held.images.samples(i..<(i + 1)), label: k, name: "\(split)[\(i)]",
                    background: context.background)
                explained.append(try method.explain(image, target: target, model: context.model))
                selected.append(image)
                let picture = pictures.images.samples(i..<(i + 1)).scalars
                for j in pictureSum.indices { pictureSum[j] += picture[j] }
            }
            let n = Float(indices.count)
            classes.append(k)
            images.append(selected)
            explanations.append(explained)
            meanPictures.append(RGBAImage(unit: pictureSum.map { $0 / n }, width: w, height: h, channels: c))
        }
        self.split = split
        self.classes = classes
        self.images = images
        self.explanations = explanations
        self.meanPictures = meanPictures
    }
}
