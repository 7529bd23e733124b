import CNN
import Foundation
import Testing
import TestSupport

/// 1×1 stride-1 convolutions multiply the layer's own buffers, with no im2col copy: the
/// same values as the definition, and gradients that match finite differences.
@Suite struct PointwiseConvolutionTests {
    static let shapes: [([Int], Int, Activation)] = [
        ([5, 7, 6], 10, .linear), ([4, 4, 16], 24, .relu), ([3, 5, 9], 4, .silu),
    ]

    @Test(arguments: shapes)
    func matchesTheDefinition(shape: [Int], filters: Int, activation: Activation) {
        let layer = Conv2D(
            name: "c", inputShape: shape, filters: filters, kernelSize: (1, 1), activation: activation)
        var model = Model(name: "t", inputShape: shape, layers: [layer], seed: 3)
        model.parameters.set("c/bias", randomTensor([filters], seed: 4))
        let x = randomTensor([3] + shape, seed: 5)
        let naive = naiveConv(
            x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!, stride: 1, padTop: 0,
            padLeft: 0, out: layer.outputShape)
        let expected = naive.map { v -> Float in
            switch activation {
            case .relu: max(v, 0)
            case .silu: v / (1 + expf(-v))
            default: v
            }
        }
        for threads in [1, 2] {
            let out = model.outputs(x, threads: threads)[0].scalars
            #expect(maxAbsDifference(out, expected) < 1e-5 * max(expected.map(abs).max()!, 1))
        }
        if activation != .relu {  // ReLU's kink is where finite differences fail
            let check = GradientCheck(model: model, input: x)
            let worst = check.worstError(samples: 60)
            #expect(worst.input < 1e-2)
            #expect(worst.parameters < 1e-2)
        }
    }
}
