import Common
import Foundation

/// A folder of labelled images as vizsite finds it, in one of the three layouts it reads:
/// MNIST's IDX files, CIFAR-10's binary batches, or an image folder
/// (`<split>/<class>/*.png|jpg`). Detecting the layout and listing the files is cheap; the
/// images are read by `load`.
public struct DatasetFolder: Sendable, Hashable {
    public enum Format: String, Sendable {
        case mnist = "MNIST IDX files"
        case cifar10 = "CIFAR-10 binary batches"
        case imageFolder = "image folder"
    }

    public let path: String
    public let format: Format

    /// Which layout `path` holds: MNIST when it has MNIST's IDX files, CIFAR-10 when it has
    /// CIFAR-10's batches, else an image folder with at least one split folder.
    public init(path: String) throws(DataError) {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .unreadable(file: path, reason: "no such folder")
        }
        self.path = path
        let names = Set((try? fm.contentsOfDirectory(atPath: path)) ?? [])
        let f = MNIST.fileNames
        if names.contains(f.trainImages) || names.contains(f.testImages) {
            format = .mnist
        } else if names.contains("test_batch.bin") || names.contains("data_batch_1.bin") {
            format = .cifar10
        } else if !ImageFolder.splitFolders(path).isEmpty {
            format = .imageFolder
        } else {
            throw .unreadable(
                file: path,
                reason: "no dataset here: expected MNIST's IDX files (\(f.trainImages) …), CIFAR-10's batches "
                    + "(data_batch_1.bin … test_batch.bin) or split folders of class folders (train/cat/*.png)")
        }
    }

    /// The splits it has, without reading any image.
    public var splitNames: [String] {
        switch format {
        case .mnist:
            let names = Set((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            return [("train", MNIST.fileNames.trainImages), ("test", MNIST.fileNames.testImages)]
                .filter { names.contains($0.1) }.map(\.0)
        case .cifar10:
            let names = Set((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            return (names.contains("data_batch_1.bin") ? ["train"] : [])
                + (names.contains("test_batch.bin") ? ["test"] : [])
        case .imageFolder:
            return ImageDataset.ordered(ImageFolder.splitFolders(path))
        }
    }

    /// The files a split's contents come from, relative to `path`, in a stable order: what
    /// a cache key over the split hashes.
    public func files(split: String) -> [String] {
        let f = MNIST.fileNames
        guard splitNames.contains(split) else { return [] }
        switch format {
        case .mnist:
            return split == "train"
                ? [f.trainImages, f.trainLabels] : split == "test" ? [f.testImages, f.testLabels] : []
        case .cifar10:
            return split == "train"
                ? (1...5).map { "data_batch_\($0).bin" }.filter {
                    FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent($0))
                }
                    + ["batches.meta.txt"].filter {
                        FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent($0))
                    }
                : split == "test" ? ["test_batch.bin"] : []
        case .imageFolder:
            let splitPath = (path as NSString).appendingPathComponent(split)
            return ImageFolder.splitFolders(splitPath).flatMap { name in
                ImageFolder.imageFiles((splitPath as NSString).appendingPathComponent(name)).map {
                    "\(split)/\(name)/\($0)"
                }
            }
        }
    }

    /// How many images a split holds, read from as little as tells it (MNIST's label file,
    /// the size of CIFAR-10's batches, an image folder's files); nil when that cannot be read,
    /// and the build's own reading will say why.
    public func imageCount(split: String) -> Int? {
        guard splitNames.contains(split) else { return nil }
        let f = MNIST.fileNames
        func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
        switch format {
        case .mnist:
            let labels = split == "train" ? f.trainLabels : f.testLabels
            return (try? IDXArray.read(path: file(labels)))?.shape.first
        case .cifar10:
            // Records of one label byte and 32×32×3 pixel bytes.
            var total = 0
            for name in files(split: split) where name.hasSuffix(".bin") {
                guard let size = (try? FileManager.default.attributesOfItem(atPath: file(name)))?[.size] as? Int
                else { return nil }
                total += size / 3073
            }
            return total
        case .imageFolder:
            return files(split: split).count
        }
    }

    /// Every file the dataset's contents come from, split by split.
    public var files: [String] { splitNames.flatMap { files(split: $0) } }

    /// The class names: MNIST's digits, CIFAR-10's (from `batches.meta.txt` when present),
    /// or an image folder's class folders (those of its first split), without reading images.
    public var classNames: [String] {
        switch format {
        case .mnist: (0..<10).map(String.init)
        case .cifar10: CIFAR10.classNames(directory: path)
        case .imageFolder:
            splitNames.first.map { ImageFolder.splitFolders((path as NSString).appendingPathComponent($0)) } ?? []
        }
    }

    /// One split's images and labels. MNIST's and CIFAR-10's are pixel / 255 at their own
    /// size; an image folder's pass through `decode` (file path → `[h, w, c]` values of
    /// `inputShape`), which resizes them. Every split of an image folder must have the
    /// same classes.
    public func load(
        split: String, decode: (String) throws -> [Float], inputShape: [Int]
    ) throws(DataError) -> Dataset {
        guard splitNames.contains(split) else {
            throw .unreadable(file: path, reason: "no split '\(split)' (it has \(splitNames.joined(separator: ", ")))")
        }
        func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
        switch format {
        case .mnist:
            let f = MNIST.fileNames
            let (images, labels) = split == "train" ? (f.trainImages, f.trainLabels) : (f.testImages, f.testLabels)
            return try MNIST.dataset(images: file(images), labels: file(labels))
        case .cifar10:
            return try CIFAR10.batches(files(split: split).filter { $0.hasSuffix(".bin") }.map(file))
        case .imageFolder:
            let classes = ImageFolder.splitFolders(file(split))
            guard classes == classNames else {
                throw .corrupt(
                    file: file(split),
                    reason: "its classes (\(classes.joined(separator: ", "))) differ from the other splits' "
                        + "(\(classNames.joined(separator: ", ")))")
            }
            return try ImageFolder.split(file(split), classes: classes, decode: decode, inputShape: inputShape)
        }
    }
}
