import CKernels
import Foundation

/// The element-wise function applied to a layer's output.
///
/// `softmax` is never applied inside the network: a layer with a softmax activation
/// outputs its logits, which is what training (softmax cross-entropy) and gradient
/// explanations (pre-softmax scores, DESIGN.md) need; `Model.probabilities` applies it.
/// A softmax is therefore only allowed on a model's last layer.
public enum Activation: Sendable, Hashable {
    case linear, relu
    /// `min(max(x, low), high)`; ReLU6 is `clip(0, 6)`.
    case clip(low: Float, high: Float)
    /// `x` for positive inputs, `slope · x` otherwise.
    case leakyReLU(slope: Float)
    case sigmoid, tanh
    /// `clip(alpha · x + beta, 0, 1)`: ONNX's HardSigmoid (alpha 0.2, beta 0.5), and
    /// PyTorch's and Keras's `hard_sigmoid` (alpha 1/6, beta 0.5).
    case hardSigmoid(alpha: Float, beta: Float)
    /// `x · sigmoid(x)` (SiLU, Keras's swish).
    case silu
    /// `x · relu6(x + 3) / 6` (Howard et al., 2019).
    case hardSwish
    /// `x · Φ(x)`, or its tanh approximation (Hendrycks & Gimpel, 2016).
    case gelu(approximate: Bool)
    case softmax

    /// The names specs accept, as Keras spells them.
    public static let names = [
        "linear", "relu", "relu6", "leaky_relu", "sigmoid", "hard_sigmoid", "tanh", "silu", "swish", "hard_swish",
        "hard_silu", "gelu", "softmax",
    ]

    /// The activation a spec names (`relu6`, `leaky_relu`, …), with Keras's defaults for
    /// its parameters (leaky_relu's negative slope 0.2, gelu exact).
    public init?(named name: String) {
        switch name.lowercased() {
        case "linear", "identity": self = .linear
        case "relu": self = .relu
        case "relu6": self = .clip(low: 0, high: 6)
        case "leaky_relu": self = .leakyReLU(slope: 0.2)
        case "sigmoid": self = .sigmoid
        case "hard_sigmoid": self = .hardSigmoid(alpha: 1 / 6, beta: 0.5)
        case "tanh": self = .tanh
        case "silu", "swish": self = .silu
        case "hard_swish", "hard_silu": self = .hardSwish
        case "gelu": self = .gelu(approximate: false)
        case "softmax": self = .softmax
        default: return nil
        }
    }

    /// The name summaries show.
    public var name: String {
        switch self {
        case .linear: "linear"
        case .relu: "relu"
        case .clip(0, 6): "relu6"
        case .clip(let low, let high): "clip(\(low), \(high))"
        case .leakyReLU(let slope): "leaky_relu(\(slope))"
        case .sigmoid: "sigmoid"
        case .hardSigmoid(let alpha, let beta):
            alpha == 1 / 6 && beta == 0.5 ? "hard_sigmoid" : "hard_sigmoid(\(alpha), \(beta))"
        case .tanh: "tanh"
        case .silu: "silu"
        case .hardSwish: "hard_swish"
        case .gelu(let approximate): approximate ? "gelu(tanh)" : "gelu"
        case .softmax: "softmax"
        }
    }

    /// Whether the derivative cannot be computed from the output alone, so that a layer
    /// must keep the pre-activation values for its backward pass.
    public var needsPreActivation: Bool {
        switch self {
        case .silu, .hardSwish, .gelu: true
        case .leakyReLU(let slope): slope < 0
        default: false
        }
    }

    /// Applies the activation in place (softmax outputs logits, see above).
    @inline(__always)
    func apply(_ y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .linear, .softmax: return
        case .relu:
            // Written as a max, which compiles to branch-free SIMD; `if y < 0` does not.
            for i in 0..<count { y[i] = Swift.max(y[i], 0) }
        case .clip(let low, let high):
            for i in 0..<count { y[i] = Swift.min(Swift.max(y[i], low), high) }
        case .leakyReLU(let slope):
            for i in 0..<count { let x = y[i]; y[i] = x > 0 ? x : slope * x }
        case .sigmoid where Self.vectorExp:
            vz_sigmoid(y, y, count)
        case .sigmoid:
            for i in 0..<count { y[i] = Self.sigmoid(y[i]) }
        case .hardSigmoid(let alpha, let beta):
            for i in 0..<count { y[i] = Swift.min(Swift.max(alpha * y[i] + beta, 0), 1) }
        case .tanh:
            for i in 0..<count { y[i] = tanhf(y[i]) }
        case .silu where Self.vectorExp:
            vz_silu(y, y, count)
        case .silu:
            for i in 0..<count { y[i] *= Self.sigmoid(y[i]) }
        case .hardSwish:
            for i in 0..<count { let x = y[i]; y[i] = x * Swift.min(Swift.max(x + 3, 0), 6) / 6 }
        case .gelu(let approximate):
            for i in 0..<count { y[i] = Self.gelu(y[i], approximate: approximate).value }
        }
    }

    /// `y = f(x)` for `count` values of another buffer: one pass where a copy and `apply` made
    /// two (a standalone ReLU is memory-bound), with the same values.
    func apply(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu:
            for i in 0..<count { y[i] = Swift.max(x[i], 0) }
        case .clip(let low, let high):
            for i in 0..<count { y[i] = Swift.min(Swift.max(x[i], low), high) }
        case .hardSigmoid(let alpha, let beta):
            for i in 0..<count { y[i] = Swift.min(Swift.max(alpha * x[i] + beta, 0), 1) }
        case .hardSwish:
            for i in 0..<count { let v = x[i]; y[i] = v * Swift.min(Swift.max(v + 3, 0), 6) / 6 }
        case .sigmoid where Self.vectorExp:
            vz_sigmoid(x, y, count)
        case .silu where Self.vectorExp:
            vz_silu(x, y, count)
        default:
            copyFloats(y, from: x, count: count)
            apply(y, count: count)
        }
    }

    /// `dPre = dOut · f'(pre)`, computed from the activation's output, or from the
    /// pre-activation values where `needsPreActivation` (which must then be given).
    /// `rule` replaces the ReLU family's gradient by guided backpropagation's or
    /// deconvnet's.
    @inline(__always)
    func backward(
        output y: UnsafePointer<Float>, outputGradient dy: UnsafePointer<Float>,
        into dPre: UnsafeMutablePointer<Float>, count: Int, rule: ReLUBackwardRule = .gradient,
        preActivation x: UnsafePointer<Float>? = nil
    ) {
        precondition(!needsPreActivation || x != nil, "\(name) needs the pre-activation values")
        // Both operands are loaded before the select: a load that only happens when
        // y > 0 keeps the loop scalar and branchy (half the branches mispredict).
        switch self {
        case .relu where rule == .guided:
            for i in 0..<count { let g = Swift.max(dy[i], 0); dPre[i] = y[i] > 0 ? g : 0 }
        case .relu where rule == .deconvnet, .clip where rule == .deconvnet, .leakyReLU where rule == .deconvnet:
            for i in 0..<count { dPre[i] = Swift.max(dy[i], 0) }
        case .relu:
            for i in 0..<count { let g = dy[i]; dPre[i] = y[i] > 0 ? g : 0 }
        case .linear, .softmax:
            copyFloats(dPre, from: dy, count: count)
        case .clip(let low, let high):
            // As PyTorch's hardtanh: no gradient at the bounds themselves.
            for i in 0..<count {
                let g = rule == .guided ? Swift.max(dy[i], 0) : dy[i]
                dPre[i] = y[i] > low && y[i] < high ? g : 0
            }
        case .leakyReLU(let slope):
            for i in 0..<count {
                let g = rule == .guided ? Swift.max(dy[i], 0) : dy[i]
                let positive = x.map { $0[i] > 0 } ?? (y[i] > 0)
                dPre[i] = positive ? g : slope * g
            }
        case .sigmoid:
            for i in 0..<count { dPre[i] = dy[i] * y[i] * (1 - y[i]) }
        case .hardSigmoid(let alpha, _):
            // As PyTorch: no gradient where the output is clipped, the bounds included.
            for i in 0..<count { dPre[i] = y[i] > 0 && y[i] < 1 ? dy[i] * alpha : 0 }
        case .tanh:
            for i in 0..<count { dPre[i] = dy[i] * (1 - y[i] * y[i]) }
        case .silu where Self.vectorExp:
            vz_silu_backward(x!, dy, dPre, count)
        case .silu:
            for i in 0..<count {
                let s = Self.sigmoid(x![i])
                dPre[i] = dy[i] * s * (1 + x![i] * (1 - s))
            }
        case .hardSwish:
            // As PyTorch: 0 below -3, 1 above 3, (2x + 3) / 6 between (3 itself included).
            for i in 0..<count {
                let v = x![i]
                dPre[i] = dy[i] * (v < -3 ? 0 : v <= 3 ? (2 * v + 3) / 6 : 1)
            }
        case .gelu(let approximate):
            for i in 0..<count { dPre[i] = dy[i] * Self.gelu(x![i], approximate: approximate).derivative }
        }
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

    /// Whether sigmoid and SiLU run CKernels/activations.c's eight-wide exponential (AVX2 +
    /// FMA; `VIZSITE_CONV_KERNELS=0` keeps glibc's `expf`, the reference).
    static let vectorExp = ConvolutionKernel.fastKernelsAvailable

    /// GELU and its derivative at `x`.
    @inline(__always)
    static func gelu(_ x: Float, approximate: Bool) -> (value: Float, derivative: Float) {
        if approximate {
            let c: Float = 0.797_884_56  // sqrt(2 / π)
            let u = c * (x + 0.044715 * x * x * x), t = tanhf(u)
            let du = c * (1 + 3 * 0.044715 * x * x)
            return (0.5 * x * (1 + t), 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * du)
        }
        let cdf = 0.5 * (1 + erff(x * 0.707_106_78))
        let pdf = expf(-0.5 * x * x) * 0.398_942_28  // 1 / sqrt(2π)
        return (x * cdf, cdf + x * pdf)
    }
}
