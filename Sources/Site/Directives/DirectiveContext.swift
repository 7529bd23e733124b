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
    /// The image as readers see it, in colour for an RGB model (nil: the gray input itself).
    public var picture: RGBAImage? = nil

    var explained: ExplainedImage { ExplainedImage(pixels: pixels, label: label) }
    /// The input as one gray map (the mean of its channels).
    var heatmap: Heatmap { explained.gray }
    /// The input as a picture: its colours when known, else the gray input.
    var display: RGBAImage {
        picture ?? RGBAImage.grayscale(width: heatmap.width, height: heatmap.height, values: heatmap.values)
    }
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
                do { picture = try ImageFile.read(path: real, displayPath: paths.display(path)) } catch {
                    throw error.sourceError.placed(at: location)
                }
                let (h, w, c) = (model.inputShape[0], model.inputShape[1], model.inputShape[2])
                let input = spec.input(from: picture, preparation: preparation)
                let pixels = Tensor(shape: [1, h, w, c], scalars: input.values)
                result.append(
                    SelectedImage(pixels: pixels, label: nil, name: path, picture: c == 1 ? nil : input.picture))
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
