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
    /// The names of the model's classes, when known (a sidecar's, or the dataset's).
    public var classNames: [String]? = nil
    /// The training images methods such as GradientSHAP draw references from.
    public var background: BackgroundImages? = nil

    /// Class `k` as figures name it: `7`, or `7 (horse)` when the classes have names that
    /// are not just their numbers.
    func className(_ k: Int) -> String {
        guard let names = classNames, names.indices.contains(k), names[k] != String(k) else { return "\(k)" }
        return "\(k) (\(names[k]))"
    }

    /// Class `k` in a few characters: its name, else its number.
    func shortClassName(_ k: Int) -> String {
        guard let names = classNames, names.indices.contains(k) else { return "\(k)" }
        return names[k]
    }

    var explained: ExplainedImage { ExplainedImage(pixels: pixels, label: label, background: background) }
    /// The input as one gray map (the mean of its channels).
    var heatmap: Heatmap { explained.gray }
    /// The input as a picture: its colours when known, else the gray input.
    var display: RGBAImage {
        picture ?? RGBAImage.grayscale(width: heatmap.width, height: heatmap.height, values: heatmap.values)
    }

    /// Model input numbers of this image's shape (a baseline, an edited copy) as a picture,
    /// this image's own value range mapped to [0, 1].
    func picture(of values: [Float]) -> RGBAImage {
        let x = pixels.scalars
        let (low, high) = (x.min() ?? 0, x.max() ?? 1)
        return RGBAImage(
            unit: values.map { high > low ? ($0 - low) / (high - low) : 0 }, width: pixels.shape[2],
            height: pixels.shape[1], channels: pixels.shape[3])
    }
}

/// What a directive runs against: the trained model, the data, and the content folder.
public final class DirectiveContext: Sendable {
    public let model: Model
    public let spec: ModelSpec
    /// The training log, when the weights were trained by vizsite.
    public let trainingLog: [EpochLog]?
    let data: Lazy<ModelData>
    /// The model evaluated on a split of the data (accuracy, predictions), computed once.
    private let evaluate: @Sendable (String) -> Lazy<Evaluation>
    public let paths: ContentPaths
    /// The models the directive compares with its own, by spec path.
    private let others: [String: OtherModel]

    /// A model a directive compares with its own, trained on the same data.
    public struct OtherModel: Sendable {
        public let model: Model
        public let spec: ModelSpec
        public let trainingLog: [EpochLog]?
    }

    init(
        model: Model, spec: ModelSpec, trainingLog: [EpochLog]?, others: [String: OtherModel] = [:],
        data: Lazy<ModelData>, evaluate: @escaping @Sendable (String) -> Lazy<Evaluation>, paths: ContentPaths
    ) {
        self.model = model
        self.spec = spec
        self.trainingLog = trainingLog
        self.others = others
        self.data = data
        self.evaluate = evaluate
        self.paths = paths
    }

    public var classes: Int { model.classCount }

    /// The model at `path` among the directive's `otherModels` (the build trained or loaded
    /// each before running the figure).
    func otherModel(_ path: String) throws -> OtherModel {
        guard let other = others[path] else {
            throw SourceError(
                "internal: \(path) was not prepared for this figure", at: SourceLocation(file: path, line: 0, column: 0)
            )
        }
        return other
    }

    /// The class names figures label images with: the sidecar's, else the dataset's when
    /// it has as many classes as the model (nil when neither; digits stay numbers).
    func classNames() -> [String]? {
        guard let names = spec.sidecar.classNames ?? (try? data.get().classNames), names.count == classes,
            names != (0..<classes).map(String.init)
        else { return nil }
        return names
    }

    /// The held-out split (`test`, else `val`, …), its images as the model takes them, and
    /// the model's evaluation on it.
    func heldOut() throws -> (split: String, set: Dataset, evaluation: Evaluation) {
        let loaded = try data.get()
        guard let split = loaded.evaluationSplit else {
            throw SourceError(
                "\(loaded.name) has no split to evaluate on (test, val, valid or validation); it has "
                    + loaded.splitNames.joined(separator: ", "),
                at: SourceLocation(file: loaded.name, line: 0, column: 0))
        }
        return (split, try loaded.inputs(split), try evaluate(split).get())
    }

    /// How captions name `count` images of `split`: "test digits" for MNIST, else
    /// "val images".
    func imagesPhrase(_ count: Int, split: String) -> String {
        let digits = isDigits
        return "\(count.grouped) \(split) \(digits ? "digit" : "image")\(count == 1 ? "" : "s")"
    }

    /// Whether the data are MNIST's digits (figures say "digits"), else "images".
    var isDigits: Bool { (try? data.get().format) == .mnist }

    /// The training images GradientSHAP draws references from (none when the data cannot
    /// be read or has no train split).
    var background: BackgroundImages? { try? data.get().background }

    /// The images `selectors` pick, in order. An index past the end of the dataset, or a
    /// filter with too few matches, is an error at `location`.
    func images(_ selectors: [ImageSelector], at location: SourceLocation) throws -> [SelectedImage] {
        var result: [SelectedImage] = []
        let names = classNames()
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
                    SelectedImage(
                        pixels: pixels, label: nil, name: path, picture: c == 1 ? nil : input.picture,
                        classNames: names, background: background))
            case let .dataset(splitName, filter, range):
                let loaded = try data.get()
                guard let split = loaded.split(named: splitName) else {
                    throw SourceError(
                        "\(loaded.name) has no split '\(splitName)'; it has "
                            + loaded.splitNames.joined(separator: ", "),
                        at: location, suggestion: nearestName(to: splitName, in: loaded.splitNames))
                }
                let set = try loaded.inputs(split), pictures = try loaded.pictures(split)
                let indices: [Int]
                switch filter {
                case .all:
                    indices = Array(0..<set.count)
                case .label(let k):
                    indices = set.labels.indices.filter { set.labels[$0] == k }
                case .className(let name):
                    let known = names ?? loaded.classNames
                    guard let k = known.firstIndex(of: name) else {
                        throw SourceError(
                            "no class '\(name)' in '\(selector)'; the classes are \(known.joined(separator: ", "))",
                            at: location, suggestion: nearestName(to: name, in: known))
                    }
                    indices = set.labels.indices.filter { set.labels[$0] == k }
                case .misclassified:
                    let predictions = try evaluate(split).get().predictions
                    indices = set.labels.indices.filter { set.labels[$0] != predictions[$0] }
                }
                guard range.upperBound <= indices.count else {
                    throw SourceError(
                        "image selector '\(selector)' is out of range: it selects up to index \(range.upperBound - 1) "
                            + "but only \(indices.count) image\(indices.count == 1 ? "" : "s") match "
                            + "(0…\(indices.count - 1))",
                        at: location)
                }
                let (h, w, c) = (model.inputShape[0], model.inputShape[1], model.inputShape[2])
                // A gray image fed as it is needs no picture of its own: it is its input.
                let plain = c == 1 && spec.sidecar.normalization == .standard
                for i in range {
                    let index = indices[i]
                    let picture =
                        plain
                        ? nil
                        : RGBAImage(
                            unit: Array(pictures.images.samples(index..<(index + 1)).scalars), width: w, height: h,
                            channels: c)
                    result.append(
                        SelectedImage(
                            pixels: set.images.samples(index..<(index + 1)), label: set.labels[index],
                            name: "\(splitName)[\(index)]", picture: picture, classNames: names,
                            background: loaded.background))
                }
            }
        }
        return result
    }
}
