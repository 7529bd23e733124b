/// How a model spec says to train it.
public struct TrainingSettings: Sendable, Equatable {
    public enum OptimizerKind: String, Sendable, CaseIterable { case adam, sgd }

    public var optimizer: OptimizerKind = .adam
    public var learningRate: Float = 1e-3
    /// SGD only.
    public var momentum: Float = 0
    public var batchSize: Int = 128
    public var epochs: Int = 1
    public var seed: UInt64 = 0
    /// A mark planted on one class's images in every split (nil: the data as it is).
    public var shortcut: Shortcut?

    public init() {}
}
