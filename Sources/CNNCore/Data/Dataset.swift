import Common
import Foundation

/// Labelled images as the model takes them: `[n, 28, 28, 1]` floats, pixel / 255.
public struct Dataset: Sendable {
    public let images: Tensor
    public let labels: [Int]
    public var count: Int { labels.count }

    public init(images: Tensor, labels: [Int]) {
        precondition(images.batchSize == labels.count)
        self.images = images
        self.labels = labels
    }

    /// An error when a label is not one of `classes` classes (0 to classes − 1): a model
    /// with fewer outputs than the data has classes cannot be trained or scored on it.
    public func checkLabels(classes: Int, model: String) throws(SourceError) {
        guard let bad = labels.first(where: { !(0..<classes).contains($0) }) else { return }
        throw SourceError(
            "model '\(model)' predicts \(classes) classes (0–\(classes - 1)), but the data has label \(bad); give it "
                + "data with its own classes, or as many outputs as the data has classes")
    }

    /// The first `limit` samples.
    public func prefix(_ limit: Int) -> Dataset {
        let n = min(limit, count)
        return Dataset(images: images.samples(0..<n), labels: Array(labels[0..<n]))
    }
}
