/// One layer of a sequential model: its shapes, its parameters, and its forward and
/// backward passes over a batch.
///
/// Shapes are per sample (no batch dimension). Layers are immutable descriptions;
/// parameter values live in the model's `ParameterSet` and activations in a
/// `Workspace`, so one model can run on several threads at once.
public protocol Layer: Sendable {
    /// The layer's name (`conv2d_1`, `preds`, …), unique within a model.
    var name: String { get }
    /// The Keras class name shown in summaries (`Conv2D`, `MaxPooling2D`, …).
    var kind: String { get }
    var inputShape: [Int] { get }
    var outputShape: [Int] { get }
    /// The activation applied to the output; `linear` for layers without one.
    var activation: Activation { get }
    /// The parameters in the order they sit in the layer's slice of the parameter vector.
    var parameterShapes: [ParameterShape] { get }
    /// Multiply-accumulate operations of one forward pass for one sample.
    var multiplyAccumulates: Int { get }
    /// Floats of scratch memory the layer needs for a batch of `batch`.
    func scratchCount(batch: Int) -> Int
    /// Computes `io.output` from `io.input`.
    func forward(_ io: LayerIO)
    /// Given `io` from the forward pass and the gradient of the loss with respect to the
    /// output, writes the gradient with respect to the input (overwriting) and adds the
    /// gradients of the parameters (accumulating), each only when its pointer is set.
    func backward(_ io: LayerIO, _ gradients: LayerGradients)
}

/// The name and shape of one parameter tensor of a layer (`kernel`, `bias`).
public struct ParameterShape: Sendable, Equatable {
    public let key: String
    public let shape: [Int]
    /// Whether the initial values are Glorot-uniform (kernels) or zero (biases).
    public let isKernel: Bool
}

/// The element-wise function applied to a layer's output.
///
/// `softmax` is never applied inside the network: a layer with a softmax activation
/// outputs its logits, which is what training (softmax cross-entropy) and gradient
/// explanations (pre-softmax scores, DESIGN.md) need; `Model.probabilities` applies it.
public enum Activation: String, Sendable, CaseIterable {
    case linear, relu, softmax
}

/// The buffers of one layer call. Every pointer covers `batch` samples.
public struct LayerIO {
    public var batch: Int
    public var input: UnsafeMutablePointer<Float>
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
    /// Set when no backward pass follows. Only then may convolutions use Winograd: its
    /// rounding depends on an output's position within a tile, so equal receptive fields
    /// (a blank background) give outputs that differ in the last bit, and max pooling's
    /// backward pass would route gradients to whichever happened to round up instead of
    /// the first of the equal maxima, as PyTorch and Keras do.
    public var outputsOnly = false
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
    /// d loss / d parameters, accumulated when set.
    public var parameters: UnsafeMutablePointer<Float>?
    /// Guided backpropagation (Springenberg et al., 2015): ReLUs pass back only positive
    /// gradients, and only where their input was positive.
    public var guided: Bool = false
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

extension Activation {
    /// Applies the activation in place (softmax outputs logits, see above).
    @inline(__always)
    func apply(_ y: UnsafeMutablePointer<Float>, count: Int) {
        guard self == .relu else { return }
        // Written as a max, which compiles to branch-free SIMD; `if y < 0` does not.
        for i in 0..<count { y[i] = Swift.max(y[i], 0) }
    }

    /// `dPre = dOut · f'(pre)`, computed from the activation's output.
    @inline(__always)
    func backward(
        output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        into dPre: UnsafeMutablePointer<Float>, count: Int, guided: Bool = false
    ) {
        // Both operands are loaded before the select: a load that only happens when
        // y > 0 keeps the loop scalar and branchy (half the branches mispredict).
        switch self {
        case .relu where guided:
            for i in 0..<count { let g = Swift.max(dy[i], 0); dPre[i] = y[i] > 0 ? g : 0 }
        case .relu:
            for i in 0..<count { let g = dy[i]; dPre[i] = y[i] > 0 ? g : 0 }
        case .linear, .softmax:
            copyFloats(dPre, from: dy, count: count)
        }
    }
}
