import Common
import Foundation

/// Labelled images in named splits (`train`, `test`, `val`, …) with the names of their
/// classes: what CIFAR-10's binary batches and image folders load into. Images are
/// `[n, h, w, c]` floats, pixel / 255 unless the loader's decoder says otherwise.
public struct ImageDataset: Sendable {
    public let splits: [String: Dataset]
    public let classNames: [String]

    public init(splits: [String: Dataset], classNames: [String]) {
        self.splits = splits
        self.classNames = classNames
    }

    /// The split names, in a stable order: train and test first, then the rest by name.
    public var splitNames: [String] { Self.ordered(Array(splits.keys)) }

    static let preferredSplits = ["train", "test", "val", "valid", "validation"]

    /// `names` with train and test first, then the rest by name.
    static func ordered(_ names: [String]) -> [String] {
        preferredSplits.filter(names.contains) + names.filter { !preferredSplits.contains($0) }.sorted()
    }

    /// The split a model is evaluated on: `test`, else the held-out split (`val`, `valid`,
    /// `validation`), else the only split there is unless it is `train`. Nil when none fits.
    public static func evaluationSplit(among names: [String]) -> String? {
        if let held = ["test", "val", "valid", "validation"].first(where: names.contains) { return held }
        return names.count == 1 && names[0] != "train" ? names[0] : nil
    }
}

/// CIFAR-10's binary version (Krizhevsky, 2009): `data_batch_1.bin` … `data_batch_5.bin`
/// (train) and `test_batch.bin` (test), each record a label byte and a 32×32 image as three
/// 1,024-byte planes (red, green, blue); class names from `batches.meta.txt`.
public enum CIFAR10 {
    public static let recordSize = 1 + 3 * 1024
    public static let defaultClassNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]

    /// Loads the batches found in `directory` (either split may be absent, not both).
    public static func load(directory: String) throws(DataError) -> ImageDataset {
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        var splits: [String: Dataset] = [:]
        let trainFiles = (1...5).map { path("data_batch_\($0).bin") }.filter {
            FileManager.default.fileExists(atPath: $0)
        }
        if !trainFiles.isEmpty { splits["train"] = try batches(trainFiles) }
        if FileManager.default.fileExists(atPath: path("test_batch.bin")) {
            splits["test"] = try batches([path("test_batch.bin")])
        }
        guard !splits.isEmpty else {
            throw .unreadable(file: directory, reason: "no CIFAR-10 batches (data_batch_1.bin … test_batch.bin) here")
        }
        return ImageDataset(splits: splits, classNames: classNames(directory: directory))
    }

    /// The class names in `directory`'s `batches.meta.txt`, else CIFAR-10's own.
    static func classNames(directory: String) -> [String] {
        let meta = (directory as NSString).appendingPathComponent("batches.meta.txt")
        if let file = try? ConfinedFile(meta, inside: directory), file.size <= 1 << 16,
            let data = try? file.read(), let text = String(data: data, encoding: .utf8)
        {
            let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
            if lines.count == 10 { return lines }
        }
        return defaultClassNames
    }

    /// The records of `files`, in order, as NHWC images.
    static func batches(_ files: [String]) throws(DataError) -> Dataset {
        var scalars: [Float] = [], labels: [Int] = []
        for file in files {
            let data = try DataError.reading(file, inside: ResolvedPath.parent(file), limit: 200_000_000)
            guard data.count % recordSize == 0, !data.isEmpty else {
                throw .corrupt(file: file, reason: "\(data.count) bytes is not a whole number of 3,073-byte records")
            }
            let bytes = [UInt8](data), count = data.count / recordSize
            scalars.reserveCapacity(scalars.count + count * 3072)
            for r in 0..<count {
                let record = r * recordSize
                guard bytes[record] < 10 else {
                    throw .corrupt(file: file, reason: "record \(r) has label \(bytes[record]), not a class 0–9")
                }
                labels.append(Int(bytes[record]))
                // Planes (c, y, x) → NHWC (y, x, c).
                for p in 0..<1024 {
                    for c in 0..<3 { scalars.append(Float(bytes[record + 1 + c * 1024 + p]) / 255) }
                }
            }
        }
        return Dataset(images: Tensor(shape: [labels.count, 32, 32, 3], scalars: scalars), labels: labels)
    }
}

/// Images in folders by split and class, `<root>/<split>/<class>/*.png|jpg`, the convention
/// of torchvision's `ImageFolder` and Keras's `image_dataset_from_directory`: classes are
/// the class folders' names in sorted order (as both number them), images in sorted order.
public enum ImageFolder {
    public static let extensions = ["png", "jpg", "jpeg"]

    /// Loads every split under `root`. `decode` turns one image file into the model's input
    /// (`[h, w, c]` values; Render's picture preparation, which this module cannot see).
    /// Every split must have the same classes.
    public static func load(
        root: String, decode: (String) throws -> [Float], inputShape: [Int]
    ) throws(DataError) -> ImageDataset {
        let splitNames = splitFolders(root)
        guard !splitNames.isEmpty else {
            throw .unreadable(file: root, reason: "no split folders (train/, test/, val/ …) here")
        }
        var classNames: [String]?
        var splits: [String: Dataset] = [:]
        for split in splitNames {
            let splitPath = (root as NSString).appendingPathComponent(split)
            let classes = splitFolders(splitPath)
            guard !classes.isEmpty else { throw .corrupt(file: splitPath, reason: "no class folders here") }
            if let known = classNames, known != classes {
                throw .corrupt(
                    file: splitPath,
                    reason: "its classes (\(classes.joined(separator: ", "))) differ from the other splits' "
                        + "(\(known.joined(separator: ", ")))")
            }
            classNames = classes
            splits[split] = try self.split(splitPath, classes: classes, decode: decode, inputShape: inputShape)
        }
        return ImageDataset(splits: splits, classNames: classNames ?? [])
    }

    /// The images of one split folder, labelled by their class folder's index in `classes`.
    static func split(
        _ splitPath: String, classes: [String], decode: (String) throws -> [Float], inputShape: [Int]
    ) throws(DataError) -> Dataset {
        var scalars: [Float] = [], labels: [Int] = []
        // Class folders and images may be links, but none may lead out of the dataset.
        let root = ResolvedPath.parent(splitPath)
        for (label, name) in classes.enumerated() {
            let classPath = (splitPath as NSString).appendingPathComponent(name)
            for file in imageFiles(classPath) {
                let path = (classPath as NSString).appendingPathComponent(file)
                do { _ = try ConfinedFile(path, inside: root) } catch {
                    throw .unreadable(file: path, reason: error.describe(file, folder: "the dataset folder \(root)"))
                }
                let values: [Float]
                do { values = try decode(path) } catch {
                    throw .corrupt(
                        file: path, reason: (error as? any SourceErrorConvertible)?.sourceError.message ?? "\(error)")
                }
                guard values.count == inputShape.elementCount else {
                    throw .corrupt(file: path, reason: "decoded to \(values.count) values, not \(inputShape)")
                }
                scalars += values
                labels.append(label)
            }
        }
        guard !labels.isEmpty else { throw .corrupt(file: splitPath, reason: "no .png or .jpg images here") }
        return Dataset(images: Tensor(shape: [labels.count] + inputShape, scalars: scalars), labels: labels)
    }

    /// The visible subfolders of `path`, sorted.
    static func splitFolders(_ path: String) -> [String] {
        let fm = FileManager.default
        return ((try? fm.contentsOfDirectory(atPath: path)) ?? []).filter { name in
            var isDirectory: ObjCBool = false
            return !name.hasPrefix(".")
                && fm.fileExists(atPath: (path as NSString).appendingPathComponent(name), isDirectory: &isDirectory)
                && isDirectory.boolValue
        }.sorted()
    }

    /// The PNG and JPEG files in `path`, sorted.
    static func imageFiles(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [])
            .filter { !$0.hasPrefix(".") && extensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
    }
}
