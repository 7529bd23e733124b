import Common
import CNN
import Explain
import Foundation
import Render

/// An image a directive shows: the model's input, its label, and how it was selected.
public struct SelectedImage: Sendable {
    public let pixels: Tensor
    public let label: Int?
    /// `test[3]` or the PNG path.
    public let name: String

    var explained: ExplainedImage { ExplainedImage(pixels: pixels, label: label) }
    var heatmap: Heatmap { Heatmap(width: pixels.shape[2], height: pixels.shape[1], values: pixels.scalars) }
}

/// What a directive runs against: the trained model, the data, and the content folder.
public final class DirectiveContext: Sendable {
    public let model: Model
    public let spec: ModelSpec
    /// The training log, when the weights were trained by vizsite.
    public let trainingLog: [EpochLog]?
    let data: Lazy<MNIST>
    /// The model evaluated on the whole test set (accuracy, predictions).
    let evaluation: Lazy<Evaluation>
    public let paths: ContentPaths

    init(
        model: Model, spec: ModelSpec, trainingLog: [EpochLog]?, data: Lazy<MNIST>, evaluation: Lazy<Evaluation>,
        paths: ContentPaths
    ) {
        self.model = model
        self.spec = spec
        self.trainingLog = trainingLog
        self.data = data
        self.evaluation = evaluation
        self.paths = paths
    }

    public var classes: Int { model.classCount }

    /// The images `selectors` pick, in order. An index past the end of the dataset, or a
    /// filter with too few matches, is an error at `location`.
    func images(_ selectors: [ImageSelector], at location: SourceLocation) throws -> [SelectedImage] {
        var result: [SelectedImage] = []
        for selector in selectors {
            switch selector {
            case let .file(path, preparation):
                let real = try paths.resolve(path, at: location)
                let picture: RGBAImage
                do { picture = try PNG.read(path: real, displayPath: paths.display(path)) } catch {
                    throw error.sourceError.placed(at: location)
                }
                let h = model.inputShape[0], w = model.inputShape[1]
                let input = ModelInputImage(
                    picture, width: w, height: h,
                    preparation: preparation ?? .standard(forInput: model.inputShape))
                let pixels = Tensor(shape: [1, h, w, 1], scalars: input.values)
                result.append(SelectedImage(pixels: pixels, label: nil, name: path))
            case let .dataset(split, filter, range):
                let mnist = try data.get()
                let set = split == .test ? mnist.test : mnist.train
                let indices: [Int]
                switch filter {
                case .all:
                    indices = Array(0..<set.count)
                case .label(let k):
                    indices = set.labels.indices.filter { set.labels[$0] == k }
                case .misclassified:
                    guard split == .test else {
                        throw SourceError(
                            "misclassified is only defined for test images; use test.misclassified[…]", at: location)
                    }
                    let predictions = try evaluation.get().predictions
                    indices = set.labels.indices.filter { set.labels[$0] != predictions[$0] }
                }
                guard range.upperBound <= indices.count else {
                    throw SourceError(
                        "image selector '\(selector)' is out of range: it selects up to index \(range.upperBound - 1) "
                            + "but only \(indices.count) image\(indices.count == 1 ? "" : "s") match "
                            + "(0…\(indices.count - 1))",
                        at: location)
                }
                for i in range {
                    let index = indices[i]
                    result.append(
                        SelectedImage(
                            pixels: set.images.samples(index..<(index + 1)), label: set.labels[index],
                            name: "\(split.rawValue)[\(index)]"))
                }
            }
        }
        return result
    }
}
