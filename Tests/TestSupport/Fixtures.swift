import CNN
import Foundation

/// Paths inside the package, found from this source file.
public enum PackagePaths {
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }  // Tests/TestSupport/Fixtures.swift
        return url.path
    }()

    public static func path(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    public static let referenceSpec = path("Content/models/mnist-cnn.yml")
    public static let mnist = path("Content/data/mnist")
}

/// MNIST, loaded once for all tests that need real digits.
public let sharedMNIST: MNIST = try! MNIST.load(directory: PackagePaths.mnist)

/// A tensor of deterministic pseudo-random values in [low, high).
public func randomTensor(_ shape: [Int], seed: UInt64, low: Float = -1, high: Float = 1) -> Tensor {
    var random = SeededRandom(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in random.uniform(low, high) })
}

/// A small CNN with every layer type, for fast tests: 28×28×1 → 10.
public func tinyModel(seed: UInt64 = 3, filters: (Int, Int) = (4, 6), hidden: Int = 16) -> Model {
    let c1 = Conv2D(
        name: "conv2d_1", inputShape: [28, 28, 1], filters: filters.0, kernelSize: (3, 3), activation: .relu)
    let c2 = Conv2D(
        name: "conv2d_2", inputShape: c1.outputShape, filters: filters.1, kernelSize: (3, 3), activation: .relu)
    let pool = MaxPool2D(name: "max_pooling2d_1", inputShape: c2.outputShape, poolSize: (2, 2))
    let drop1 = Dropout(name: "dropout_1", inputShape: pool.outputShape, rate: 0.25)
    let flat = Flatten(name: "flatten_1", inputShape: drop1.outputShape)
    let dense = Dense(name: "dense_1", inputShape: flat.outputShape, units: hidden, activation: .relu)
    let drop2 = Dropout(name: "dropout_2", inputShape: dense.outputShape, rate: 0.5)
    let preds = Dense(name: "preds", inputShape: drop2.outputShape, units: 10, activation: .softmax)
    return Model(
        name: "tiny", inputShape: [28, 28, 1], layers: [c1, c2, pool, drop1, flat, dense, drop2, preds], seed: seed)
}
