import Foundation

/// Softmax cross-entropy on logits, the loss of Keras's `categorical_crossentropy` after a
/// softmax layer, computed stably from the pre-softmax scores.
enum SoftmaxCrossEntropy {
    /// For `batch` rows of `logits`, adds each row's loss to the returned sum, counts
    /// correct predictions, and writes `(softmax − onehot) / normalizer` to `gradient`
    /// — the gradient of the mean loss over `normalizer` samples.
    static func evaluate(
        logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>, batch: Int, classes: Int,
        normalizer: Int, gradient: UnsafeMutablePointer<Float>
    ) -> (lossSum: Double, correct: Int) {
        var lossSum = 0.0, correct = 0
        let scale = 1 / Float(normalizer)
        for b in 0..<batch {
            let z = logits + b * classes, g = gradient + b * classes
            var peak = z[0], best = 0
            for c in 1..<classes where z[c] > peak { peak = z[c]; best = c }
            var total: Float = 0
            for c in 0..<classes { g[c] = expf(z[c] - peak); total += g[c] }
            let label = Int(labels[b])
            lossSum += Double(logf(total) - (z[label] - peak))
            if best == label { correct += 1 }
            for c in 0..<classes { g[c] = (g[c] / total - (c == label ? 1 : 0)) * scale }
        }
        return (lossSum, correct)
    }
}
