/// One layer of a model: its shapes, its parameters, and its forward and backward
/// passes over a batch.
///
/// Shapes are per sample (no batch dimension). Layers are immutable descriptions;
/// parameter values live in the model's `ParameterSet` and activations in a
/// `Workspace`, so one model can run on several threads at once. Most layers take one
/// input; `Add` and `Concatenate` take several (`inputShapes`, `LayerIO.extraInputs`).
public protocol Layer: Sendable {
    /// The layer's name (`conv2d_1`, `preds`, …), unique within a model.
    var name: String { get }
    /// The Keras class name shown in summaries (`Conv2D`, `MaxPooling2D`, …).
    var kind: String { get }
    /// The shape of the (first) input.
    var inputShape: [Int] { get }
    /// The shapes of all inputs, in order; one entry for single-input layers.
    var inputShapes: [[Int]] { get }
    var outputShape: [Int] { get }
    /// The activation applied to the output; `linear` for layers without one.
    var activation: Activation { get }
    /// The parameters in the order they sit in the layer's slice of the parameter vector.
    var parameterShapes: [ParameterShape] { get }
    /// Multiply-accumulate operations of one forward pass for one sample.
    var multiplyAccumulates: Int { get }
    /// Floats of scratch memory the layer needs for a batch of `batch`.
    func scratchCount(batch: Int) -> Int
    /// Computes `io.output` from `io.input` (and `io.extraInputs`).
    func forward(_ io: LayerIO)
    /// Given `io` from the forward pass and the gradient of the loss with respect to the
    /// output, writes the gradient with respect to each input (overwriting) and adds the
    /// gradients of the parameters (accumulating), each only when its pointer is set.
    func backward(_ io: LayerIO, _ gradients: LayerGradients)
    /// After a training step: folds what the step's forward pass left in `scratch` into the
    /// layer's non-trainable parameters (BatchNormalization's moving statistics).
    func updateState(parameters: UnsafeMutablePointer<Float>, scratch: UnsafePointer<Float>)

    // What the layer says about itself (LayerDescription.swift), with no defaults.

    /// The operation and its settings, as a backend (the browser's runtime) reads them.
    var operation: OperationDescription { get }
    /// How the output grid lies on the (first) input's: receptive fields and CAM placement.
    var gridMapping: GridMapping { get }
    /// The part the layer plays in LRP and DeepLIFT.
    var propagation: PropagationRole { get }
}

extension Layer {
    public var inputShapes: [[Int]] { [inputShape] }
    public func updateState(parameters: UnsafeMutablePointer<Float>, scratch: UnsafePointer<Float>) {}
    /// Whether training changes anything but the trainable parameters.
    public var hasState: Bool { parameterShapes.contains { $0.role == .statistic } }
}

/// The name and shape of one parameter tensor of a layer (`kernel`, `bias`, `gamma`, …).
public struct ParameterShape: Sendable, Equatable {
    /// How a new model fills a parameter.
    public enum Initializer: Sendable, Equatable {
        /// Glorot-uniform (kernels), from the seeded generator.
        case glorotUniform
        case zeros, ones
    }

    /// What sets a parameter's values, which decides whether training changes it, whether
    /// a randomization test redraws it, and whether it counts as a parameter.
    public enum Role: Sendable, Equatable {
        /// Learned by gradient descent (kernels, biases, scales).
        case learned
        /// Set by training by other means than gradients (BatchNorm's moving statistics),
        /// counted as Keras counts them: non-trainable parameters.
        case statistic
        /// Fixed by the model's definition, not learned: a Rescaling's 1/255, attention's
        /// 1/√d, a shifted-window mask. Never trained or redrawn, and not counted as a
        /// parameter (neither PyTorch nor Keras counts them).
        case constant
    }

    public let key: String
    public let shape: [Int]
    public let initializer: Initializer
    public let role: Role
    /// Whether gradient descent changes it (a `learned` parameter).
    public var trainable: Bool { role == .learned }

    public init(key: String, shape: [Int], initializer: Initializer, role: Role = .learned) {
        self.key = key
        self.shape = shape
        self.initializer = initializer
        self.role = role
    }
}

/// The buffers of one layer call. Every pointer covers `batch` samples.
public struct LayerIO {
    public var batch: Int
    public var input: UnsafeMutablePointer<Float>
    /// The inputs after the first, for layers with several (`Add`, `Concatenate`).
    public var extraInputs: [UnsafeMutablePointer<Float>] = []
    public var output: UnsafeMutablePointer<Float>
    /// The layer's slice of the parameter vector, parameters in `parameterShapes` order.
    public var parameters: UnsafeMutablePointer<Float>
    public var scratch: UnsafeMutablePointer<Float>
    /// Threads the layer may split its GEMMs across.
    public var threads: Int
    /// Set during training: the key that seeds dropout masks.
    public var dropout: DropoutKey?
    /// The layer's position in the model, part of its dropout key.
    public var layerIndex: Int
    /// Set when no backward pass follows, or none that passes through a max pooling after
    /// this layer (`Model.forward` sets it). Only then may convolutions use Winograd: its
    /// rounding depends on an output's position within a tile, so equal receptive fields
    /// (a blank background) give outputs that differ in the last bit, and max pooling's
    /// backward pass would route gradients to whichever happened to round up instead of
    /// the first of the equal maxima, as PyTorch and Keras do.
    public var outputsOnly = false

    /// Whether this is a training pass (batch statistics, dropout masks).
    public var isTraining: Bool { dropout != nil }
}

/// A `LayerIO` handed to worker threads; they touch disjoint rows of its buffers.
struct UncheckedIO: @unchecked Sendable {  // raw buffers; workers touch disjoint rows
    let value: LayerIO
    init(_ value: LayerIO) { self.value = value }
}

/// The gradient buffers of one backward layer call.
public struct LayerGradients {
    /// d loss / d output (not modified).
    public var output: UnsafeMutablePointer<Float>
    /// d loss / d input, written when set.
    public var input: UnsafeMutablePointer<Float>?
    /// d loss / d each input after the first, written when set.
    public var extraInputs: [UnsafeMutablePointer<Float>?] = []
    /// d loss / d parameters, accumulated when set.
    public var parameters: UnsafeMutablePointer<Float>?
    /// How the ReLU family passes gradients back: the gradient, or an attribution rule.
    public var rule: ReLUBackwardRule = .gradient
}

/// How ReLUs (and ReLU6, leaky ReLU) pass the signal back in a backward pass.
public enum ReLUBackwardRule: Sendable, Equatable {
    /// The gradient: `dy` where the input was positive.
    case gradient
    /// Guided backpropagation (Springenberg et al., 2015): only positive gradients, and only
    /// where the input was positive — `max(dy, 0)` there (Captum's `GuidedBackprop`).
    case guided
    /// Deconvnet (Zeiler & Fergus, 2014): the ReLU applied to the signal going back,
    /// `max(dy, 0)` whatever the input was (Captum's `Deconvolution`). Max pooling still
    /// routes through its forward pass's maxima, the "switches".
    case deconvnet
}

/// What makes a training step's dropout masks reproducible: the training seed, the
/// global step, and the index (in the whole batch) of the first sample of this call.
/// A sample's mask depends only on these, not on how the batch is split across threads.
public struct DropoutKey: Sendable {
    public var seed: UInt64
    public var step: UInt64
    public var firstSample: Int

    public init(seed: UInt64, step: UInt64, firstSample: Int) {
        self.seed = seed
        self.step = step
        self.firstSample = firstSample
    }
}
