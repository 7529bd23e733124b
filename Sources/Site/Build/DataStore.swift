import Common
import CNN
import Explain
import Foundation
import Render
import Synchronization

/// A dataset as one model sees it: each split's images at the model's input shape, both
/// as pictures (values in [0, 1], what figures draw) and as the model's input (normalized
/// as its sidecar says; the same values for pixel / 255). A split is read on first use.
public final class ModelData: Sendable {
    /// The folder, relative to the content folder (`data/mnist`), or as given.
    public let name: String
    public let format: DatasetFolder.Format
    public let splitNames: [String]
    public let classNames: [String]
    private let splits: [String: Lazy<(pictures: Dataset, inputs: Dataset)>]
    /// GradientSHAP's references: `GradientSHAP.backgroundSize` images of the train split,
    /// evenly spaced, read only when a method asks (none without a train split).
    public let background: BackgroundImages

    /// `shortcut`: a mark planted on one class's images in every split (a spec's
    /// `training.shortcut`), so that the model trains and is explained on the data it marks.
    init(
        _ folder: DatasetFolder, name: String, shape: [Int], normalization: InputNormalization,
        shortcut: Shortcut? = nil
    ) {
        self.name = name
        format = folder.format
        splitNames = folder.splitNames
        classNames = folder.classNames
        var splits: [String: Lazy<(pictures: Dataset, inputs: Dataset)>] = [:]
        for split in splitNames {
            splits[split] = Lazy {
                let (h, w, c) = (shape[0], shape[1], shape[2])
                let raw = try folder.load(
                    split: split,
                    decode: { path in
                        ModelInputImage.plain(try ImageFile.read(path: path), width: w, height: h, channels: c)
                    }, inputShape: shape)
                let fitted = Self.fitted(raw, to: shape)
                let pictures = shortcut?.planted(in: fitted) ?? fitted
                guard normalization != .standard else { return (pictures, pictures) }
                let inputs = Dataset(
                    images: Tensor(
                        shape: pictures.images.shape,
                        scalars: normalization.normalize(pictures.images.scalars, channels: c)),
                    labels: pictures.labels)
                return (pictures, inputs)
            }
        }
        self.splits = splits
        let train = splits["train"]
        background = BackgroundImages {
            guard let set = try? train?.get().inputs else { return nil }
            return BackgroundImages.evenlySpaced(set.images, count: GradientSHAP.backgroundSize)
        }
    }

    /// The dataset folder at `path` as `spec`'s model sees it (what `vizsite evaluate`,
    /// `train` and `explain` read).
    public convenience init(path: String, for spec: ModelSpec) throws {
        self.init(
            try DatasetFolder(path: path), name: path, shape: spec.model.inputShape,
            normalization: spec.sidecar.normalization, shortcut: spec.model.training.shortcut)
    }

    /// A split's images as the model takes them.
    public func inputs(_ split: String) throws -> Dataset { try loaded(split).inputs }

    /// A split's images as pictures, values in [0, 1] at the model's input shape.
    public func pictures(_ split: String) throws -> Dataset { try loaded(split).pictures }

    private func loaded(_ split: String) throws -> (pictures: Dataset, inputs: Dataset) {
        guard let lazy = splits[split] else {
            throw SourceError(
                "\(name) has no split '\(split)'; it has \(splitNames.joined(separator: ", "))",
                at: SourceLocation(file: name, line: 0, column: 0))
        }
        return try lazy.get()
    }

    /// The split a selector's name means: itself, or for `test` in a dataset without one,
    /// the held-out split (`val`, …) the model is evaluated on.
    public func split(named name: String) -> String? {
        if splits[name] != nil { return name }
        return name == "test" ? evaluationSplit : nil
    }

    /// Where accuracy, confusion matrices and `test[…]` come from.
    public var evaluationSplit: String? { ImageDataset.evaluationSplit(among: splitNames) }

    /// `set` with its images fitted to `shape` (`[h, w, c]`): resized, and gray made colour
    /// or colour gray, when its own shape differs.
    static func fitted(_ set: Dataset, to shape: [Int]) -> Dataset {
        let native = Array(set.images.shape.dropFirst())
        guard native != shape else { return set }
        let size = native.elementCount
        let scalars = (0..<set.count).flatMap { i in
            ModelInputImage.adapted(
                set.images.scalars[(i * size)..<((i + 1) * size)], shape: native, width: shape[1], height: shape[0],
                channels: shape[2])
        }
        return Dataset(images: Tensor(shape: [set.count] + shape, scalars: scalars), labels: set.labels)
    }
}

/// The datasets a build uses: folders found once per path, their cache keys, and their
/// images loaded (and fitted to a model's input) only when a figure needs them.
final class DataStore: Sendable {
    let paths: ContentPaths
    let digests: FileDigests
    private let folders = Mutex<[String: DatasetFolder]>([:])
    private let counts = Mutex<[String: [String: Int]]>([:])
    private let loaded = Mutex<[String: Lazy<ModelData>]>([:])

    init(paths: ContentPaths, digests: FileDigests) {
        self.paths = paths
        self.digests = digests
    }

    /// The dataset folder at `relative` (inside the content folder); `location` is where it
    /// was named.
    /// How many images each split of the folder at `relative` holds (`DatasetFolder.imageCount`),
    /// counted once per build.
    func splitCounts(_ relative: String, at location: SourceLocation) throws(SourceError) -> [String: Int] {
        if let known = counts.withLock({ $0[relative] }) { return known }
        let folder = try folder(relative, at: location)
        let found = folder.splitNames.reduce(into: [String: Int]()) { $0[$1] = folder.imageCount(split: $1) }
        counts.withLock { $0[relative] = found }
        return found
    }

    func folder(_ relative: String, at location: SourceLocation) throws(SourceError) -> DatasetFolder {
        if let folder = folders.withLock({ $0[relative] }) { return folder }
        let real = try paths.resolve(relative, at: location)
        let folder: DatasetFolder
        do { folder = try DatasetFolder(path: real) } catch {
            let available = ((try? FileManager.default.contentsOfDirectory(atPath: paths.display("data"))) ?? [])
                .filter { !$0.hasPrefix(".") }.map { "data/\($0)" }
            let reason = if case .unreadable(_, let reason) = error { reason } else { error.sourceError.message }
            throw SourceError(
                "cannot use '\(relative)' as data: \(reason)", at: location,
                suggestion: nearestName(to: relative, in: available))
        }
        folders.withLock { $0[relative] = folder }
        return folder
    }

    /// SHA-256 over the named files' digests, in order: what a cache key over them hashes.
    /// For MNIST's four files this is the key earlier versions used.
    func key(_ folder: DatasetFolder, files: [String]) -> String {
        var hash = SHA256()
        for file in files {
            hash.update(file + " " + digests.digest((folder.path as NSString).appendingPathComponent(file)) + "\n")
        }
        return hash.finalize()
    }

    /// The dataset at `relative` as `spec`'s model sees it, its splits read on first use.
    func data(_ relative: String, for spec: ModelSpec, at location: SourceLocation) -> Lazy<ModelData> {
        let shape = spec.model.inputShape, normalization = spec.sidecar.normalization
        let shortcut = spec.model.training.shortcut
        let id = "\(relative)|\(shape)|\(normalization)|\(shortcut.map { "\($0)" } ?? "")"
        return loaded.withLock { loaded in
            if let lazy = loaded[id] { return lazy }
            let lazy = Lazy { [unowned self] in
                ModelData(
                    try self.folder(relative, at: location), name: relative, shape: shape, normalization: normalization,
                    shortcut: shortcut)
            }
            loaded[id] = lazy
            return lazy
        }
    }
}
