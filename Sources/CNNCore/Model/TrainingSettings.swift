/// How a model spec says to train it.
public struct TrainingSettings: Sendable, Equatable {
    public enum OptimizerKind: String, Sendable, CaseIterable { case adam, sgd }

    /// Which labels the training images carry.
    public enum Labels: String, Sendable, CaseIterable {
        /// The dataset's own labels.
        case given
        /// The training labels permuted at random (by the training seed), so that they say
        /// nothing about the images: the model can only memorize them. Adebayo et al.'s
        /// data-randomization test compares a method's maps on such a model with its maps on
        /// the real one (Zhang et al., 2017, show such networks still reach 100 % training
        /// accuracy). The held-out split keeps its true labels.
        case shuffled
    }

    public var optimizer: OptimizerKind = .adam
    public var learningRate: Float = 1e-3
    /// SGD only.
    public var momentum: Float = 0
    public var batchSize: Int = 128
    public var epochs: Int = 1
    public var seed: UInt64 = 0
    /// A mark planted on one class's images in every split (nil: the data as it is).
    public var shortcut: Shortcut?
    /// Train on the first `images` training images only (nil: all of them).
    public var images: Int?
    /// nil: `.given` (optional so that specs which do not set it keep their cache keys).
    public var labels: Labels?

    public init() {}

    /// `train` as these settings train on it: its first `images`, and with shuffled labels
    /// the labels permuted by a seeded shuffle (the same permutation for the same seed).
    public func trainingSet(_ train: Dataset) -> Dataset {
        let subset = images.map { train.prefix($0) } ?? train
        guard labels == .shuffled else { return subset }
        var random = SeededRandom(seed: seed, stream: 0x4C42)
        return Dataset(images: subset.images, labels: subset.labels.shuffled(using: &random))
    }
}
