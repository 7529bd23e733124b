import Foundation

/// A model's accuracy and loss on a labelled set, overall and per class.
public struct Evaluation: Sendable, Codable, Equatable {
    public let accuracy: Double
    public let loss: Double
    /// Accuracy on the samples of each class (0 for a class with no samples).
    public let perClassAccuracy: [Double]
    /// How many samples of each class there are.
    public let perClassCount: [Int]
    /// The predicted class of each sample.
    public let predictions: [Int]

    public init(model: Model, data: Dataset) {
        let logits = model.logits(data.images)
        let classes = model.classCount
        // Labels the model has no class for (a 5-class model on digits) are counted, and
        // always wrong: callers check that data and model agree, this stays in bounds.
        let labelCount = max(classes, (data.labels.max() ?? 0) + 1)
        var right = [Int](repeating: 0, count: labelCount), total = [Int](repeating: 0, count: labelCount)
        var lossSum = 0.0
        let predictions = logits.argmaxPerSample()
        let probabilities = softmax(logits)
        for (i, label) in data.labels.enumerated() where label >= 0 {
            total[label] += 1
            if predictions[i] == label { right[label] += 1 }
            let p = label < classes ? probabilities.scalars[i * classes + label] : 0
            lossSum -= log(Double(max(p, 1e-30)))
        }
        self.predictions = predictions
        perClassCount = total
        perClassAccuracy = zip(right, total).map { $1 == 0 ? 0 : Double($0) / Double($1) }
        accuracy = Double(right.reduce(0, +)) / Double(max(data.count, 1))
        loss = lossSum / Double(max(data.count, 1))
    }
}
