import Common
import Foundation

/// The MNIST training and test sets (LeCun, Cortes & Burges; CC BY-SA 3.0).
public struct MNIST: Sendable {
    public let train: Dataset
    public let test: Dataset

    public static let fileNames = (
        trainImages: "train-images-idx3-ubyte.gz", trainLabels: "train-labels-idx1-ubyte.gz",
        testImages: "t10k-images-idx3-ubyte.gz", testLabels: "t10k-labels-idx1-ubyte.gz"
    )

    /// Loads the four IDX files from `directory`.
    public static func load(directory: String) throws(DataError) -> MNIST {
        let f = fileNames
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        return MNIST(
            train: try dataset(images: path(f.trainImages), labels: path(f.trainLabels)),
            test: try dataset(images: path(f.testImages), labels: path(f.testLabels)))
    }

    /// One images file and one labels file, checked against each other.
    public static func dataset(images imagesPath: String, labels labelsPath: String) throws(DataError) -> Dataset {
        let images = try IDXArray.read(path: imagesPath)
        let labels = try IDXArray.read(path: labelsPath)
        guard images.shape.count == 3, images.shape[1] == 28, images.shape[2] == 28 else {
            throw .corrupt(file: imagesPath, reason: "expected images of shape [n, 28, 28], found \(images.shape)")
        }
        guard labels.shape.count == 1, labels.shape[0] == images.shape[0] else {
            throw .corrupt(
                file: labelsPath,
                reason: "expected \(images.shape[0]) labels to match \(imagesPath), found shape \(labels.shape)")
        }
        if let bad = labels.bytes.first(where: { $0 > 9 }) {
            throw .corrupt(file: labelsPath, reason: "label \(bad) is not a digit 0–9")
        }
        let scalars = images.bytes.map { Float($0) / 255 }
        return Dataset(
            images: Tensor(shape: [images.shape[0], 28, 28, 1], scalars: scalars), labels: labels.bytes.map(Int.init))
    }
}
