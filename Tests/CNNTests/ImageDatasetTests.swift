import CNN
import Common
import Foundation
import Testing
import TestSupport

/// CIFAR-10's binary batches and image folders load into named splits with class names.
@Suite struct ImageDatasetTests {
    /// Two CIFAR records: label 3 with plane values r = 10, g = 20, b = 30 except pixel
    /// (0, 1), whose red is 255; label 9 all zeros.
    static func cifarBatch() -> Data {
        var first = [UInt8](repeating: 0, count: CIFAR10.recordSize)
        first[0] = 3
        for p in 0..<1024 {
            first[1 + p] = 10
            first[1 + 1024 + p] = 20
            first[1 + 2048 + p] = 30
        }
        first[1 + 1] = 255
        var second = [UInt8](repeating: 0, count: CIFAR10.recordSize)
        second[0] = 9
        return Data(first + second)
    }

    @Test func cifarRecordsBecomeNHWCImages() throws {
        let folder = TemporaryDirectory()
        folder.write("test_batch.bin", Self.cifarBatch())
        folder.write("batches.meta.txt", "plane\ncar\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n")
        let data = try CIFAR10.load(directory: folder.path)
        let test = try #require(data.splits["test"])
        #expect(data.splits["train"] == nil && data.splitNames == ["test"])
        #expect(test.labels == [3, 9] && test.images.shape == [2, 32, 32, 3])
        #expect(data.classNames[0] == "plane" && data.classNames[3] == "cat")
        // Pixel (0, 0) is (10, 20, 30) / 255; pixel (0, 1) has red 255.
        let first: [Float] = [10 / 255, 20 / 255, 30 / 255], second: [Float] = [1, 20 / 255, 30 / 255]
        #expect(Array(test.images.scalars[0..<3]) == first)
        #expect(Array(test.images.scalars[3..<6]) == second)
        #expect(test.images.scalars[3072..<6144].allSatisfy { $0 == 0 })
    }

    @Test func damagedCIFARBatchesAreErrors() {
        let folder = TemporaryDirectory()
        folder.write("test_batch.bin", Self.cifarBatch().prefix(5000))
        #expect(throws: DataError.self) { try CIFAR10.load(directory: folder.path) }
        var bad = [UInt8](Self.cifarBatch())
        bad[0] = 12
        folder.write("test_batch.bin", Data(bad))
        #expect(
            throws: DataError.corrupt(
                file: folder.file("test_batch.bin"), reason: "record 0 has label 12, not a class 0–9")
        ) {
            try CIFAR10.load(directory: folder.path)
        }
        let empty = TemporaryDirectory()
        #expect(throws: DataError.self) { try CIFAR10.load(directory: empty.path) }
    }

    /// Classes are numbered in sorted folder order, as torchvision and Keras number them.
    @Test func imageFoldersBySplitAndClass() throws {
        let root = TemporaryDirectory()
        let layout: [(String, [String])] = [
            ("train", ["dog/a.png", "cat/b.jpg", "cat/a.png", "dog/notes.txt"]), ("val", ["cat/c.png", "dog/d.JPG"]),
        ]
        for (split, files) in layout {
            for file in files { root.write("\(split)/\(file)", Data([1])) }
        }
        // A stand-in decoder: the file's name as a number.
        let decode: (String) throws -> [Float] = { path in
            let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
            return [Float(name.unicodeScalars.first!.value), 0]
        }
        let data = try ImageFolder.load(root: root.path, decode: decode, inputShape: [1, 1, 2])
        #expect(data.classNames == ["cat", "dog"])
        #expect(data.splitNames == ["train", "val"])
        let train = try #require(data.splits["train"])
        #expect(train.labels == [0, 0, 1])  // cat/a, cat/b, dog/a; notes.txt is not an image
        let firstValues: [Float] = stride(from: 0, to: train.images.count, by: 2).map { train.images.scalars[$0] }
        #expect(firstValues == [97, 98, 97])
        #expect(data.splits["val"]?.labels == [0, 1])
        // Splits with different classes are an error naming the folder.
        root.write("test/bird/x.png", Data([1]))
        #expect(throws: DataError.self) {
            try ImageFolder.load(root: root.path, decode: decode, inputShape: [1, 1, 2])
        }
    }

    /// An image, or a class folder, that links out of the dataset would publish a file of the
    /// machine in a samples figure: an error naming it. Links inside the dataset are fine.
    @Test func linksOutOfTheDatasetAreErrors() throws {
        let root = TemporaryDirectory(), outside = TemporaryDirectory()
        root.write("train/cat/a.png", Data([1]))
        root.write(".shared/b.png", Data([2]))
        let secret = outside.write("secret.png", Data([3]))
        let decode: (String) throws -> [Float] = { _ in [0, 0] }
        let fm = FileManager.default
        try fm.createSymbolicLink(atPath: root.file("train/cat/b.png"), withDestinationPath: "../../.shared/b.png")
        #expect(try ImageFolder.load(root: root.path, decode: decode, inputShape: [1, 1, 2]).splits["train"]?.count == 2)
        try fm.createSymbolicLink(atPath: root.file("train/cat/c.png"), withDestinationPath: secret)
        #expect {
            try ImageFolder.load(root: root.path, decode: decode, inputShape: [1, 1, 2])
        } throws: { error in
            (error as? DataError)?.description.contains("'c.png' leads out of the dataset folder") ?? false
        }
        try fm.removeItem(atPath: root.file("train/cat/c.png"))
        try fm.createSymbolicLink(atPath: root.file("train/dog"), withDestinationPath: outside.path)
        #expect(throws: DataError.self) {
            try ImageFolder.load(root: root.path, decode: decode, inputShape: [1, 1, 2])
        }
        try fm.removeItem(atPath: root.file("train/dog"))
        #expect(mkfifo(root.file("train/cat/d.png"), 0o600) == 0)
        #expect {
            try ImageFolder.load(root: root.path, decode: decode, inputShape: [1, 1, 2])
        } throws: { error in
            (error as? DataError)?.description.contains("'d.png' is a named pipe, not a regular file") ?? false
        }
    }

    /// A folder is MNIST when it has MNIST's files, CIFAR-10 when it has its batches, else an
    /// image folder; its files per split are what cache keys hash.
    @Test func datasetFoldersAreDetected() throws {
        let mnist = TemporaryDirectory()
        for name in [MNIST.fileNames.trainImages, MNIST.fileNames.trainLabels] { mnist.write(name, Data([1])) }
        let m = try DatasetFolder(path: mnist.path)
        #expect(m.format == .mnist && m.splitNames == ["train"])
        #expect(m.files(split: "train") == [MNIST.fileNames.trainImages, MNIST.fileNames.trainLabels])
        #expect(m.files(split: "test").isEmpty && m.files == m.files(split: "train"))

        let cifar = TemporaryDirectory()
        cifar.write("test_batch.bin", Self.cifarBatch())
        cifar.write("batches.meta.txt", "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n")
        let c = try DatasetFolder(path: cifar.path)
        #expect(c.format == .cifar10 && c.splitNames == ["test"] && c.files == ["test_batch.bin"])
        let loaded = try c.load(split: "test", decode: { _ in [] }, inputShape: [32, 32, 3])
        #expect(c.classNames.first == "a" && loaded.labels == [3, 9])
        #expect(throws: DataError.self) { try c.load(split: "train", decode: { _ in [] }, inputShape: [32, 32, 3]) }

        let folder = TemporaryDirectory()
        for file in ["val/b/2.png", "val/a/1.jpg", "train/a/x.png", "train/b/y.txt", ".cache/a/z.png"] {
            folder.write(file, Data([1]))
        }
        let f = try DatasetFolder(path: folder.path)
        #expect(f.format == .imageFolder && f.splitNames == ["train", "val"])
        #expect(f.files == ["train/a/x.png", "val/a/1.jpg", "val/b/2.png"])
        // train has classes a and b (b holds no image); val has a and b too.
        #expect(f.classNames == ["a", "b"])
        folder.write("val/c/3.png", Data([1]))
        #expect(throws: DataError.self) { try f.load(split: "val", decode: { _ in [0] }, inputShape: [1, 1, 1]) }

        let empty = TemporaryDirectory()
        empty.write("notes.txt", "no data")
        #expect(throws: DataError.self) { try DatasetFolder(path: empty.path) }
        #expect(throws: DataError.self) { try DatasetFolder(path: empty.file("missing")) }
    }

    /// The held-out split: test, else val and its spellings, else the only split.
    @Test func evaluationSplit() {
        #expect(ImageDataset.evaluationSplit(among: ["train", "test", "val"]) == "test")
        #expect(ImageDataset.evaluationSplit(among: ["train", "validation"]) == "validation")
        #expect(ImageDataset.evaluationSplit(among: ["holdout"]) == "holdout")
        #expect(ImageDataset.evaluationSplit(among: ["train", "extra"]) == nil)
        #expect(ImageDataset.evaluationSplit(among: ["train"]) == nil)
    }
}
