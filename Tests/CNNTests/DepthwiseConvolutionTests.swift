import CNN
import Foundation
import Testing
import TestSupport
@testable import CNNCore

/// Depthwise convolutions' direct loops (Conv2D+Depthwise.swift) against the definition
/// summed loop by loop, and their gradients against finite differences: strides, `same`
/// and asymmetric padding, dilation, a depth multiplier, odd sizes, activations that need
/// the pre-activation, one and two threads.
@Suite struct DepthwiseConvolutionTests {
    struct Case: CustomStringConvertible, Sendable {
        var input: [Int]
        var kernel: (Int, Int) = (3, 3)
        var strides: (Int, Int) = (1, 1)
        var pads = Pads(top: 1, bottom: 1, left: 1, right: 1)
        var dilations: (Int, Int) = (1, 1)
        var multiplier = 1
        var activation = Activation.linear
        var useBias = true

        var description: String {
            "\(input) k\(kernel) s\(strides) \(pads) d\(dilations) ×\(multiplier) \(activation)"
        }

        var layer: Conv2D {
            Conv2D(
                name: "dw", inputShape: input, filters: input[2] * multiplier, kernelSize: kernel, strides: strides,
                pads: pads, dilations: dilations, groups: input[2], activation: activation, useBias: useBias,
                kind: "DepthwiseConv2D")
        }
    }

    static let cases: [Case] = [
        Case(input: [7, 9, 5]),  // `same`, odd sizes, 5 channels
        Case(input: [8, 8, 6], kernel: (5, 5), strides: (2, 2), pads: Pads(top: 2, bottom: 2, left: 2, right: 2)),
        // TensorFlow's `same` at stride 2: one more cell after than before.
        Case(
            input: [9, 10, 4], strides: (2, 2), pads: Pads(top: 0, bottom: 1, left: 1, right: 0),
            activation: Activation(named: "relu6")!),
        Case(input: [9, 7, 3], strides: (1, 2), pads: .zero, dilations: (2, 2), activation: .silu),
        // ReLU's kink is where finite differences fail, whatever the path: tanh here.
        Case(input: [6, 5, 3], multiplier: 2, activation: .tanh, useBias: false),
        Case(input: [5, 6, 16], kernel: (3, 1), strides: (2, 1), pads: Pads(top: 1, bottom: 1, left: 0, right: 0)),
        // 43 channels: a block of 32, one of 8 and 3 alone in the AVX2 kernel.
        Case(input: [6, 7, 43], strides: (2, 2), pads: Pads(top: 0, bottom: 1, left: 0, right: 1)),
        Case(input: [4, 5, 72], kernel: (5, 5), pads: Pads(top: 2, bottom: 2, left: 2, right: 2), activation: .silu),
    ]

    static func model(_ c: Case) -> Model {
        var model = Model(name: "t", inputShape: c.input, layers: [c.layer], seed: 5)
        if c.useBias { model.parameters.set("dw/bias", randomTensor([c.layer.filters], seed: 6)) }
        return model
    }

    /// The definition: `y[oy, ox, f] = b[f] + Σ x[oy·s − pad + ky·d, ox·s − pad + kx·d, f / m] · k[ky, kx, 0, f]`.
    static func naive(_ c: Case, _ model: Model, _ x: Tensor) -> [Float] {
        let layer = c.layer, (h, w, ch) = (c.input[0], c.input[1], c.input[2])
        let (oh, ow, f) = (layer.outputShape[0], layer.outputShape[1], layer.filters)
        let kernel = model.parameters["dw/kernel"]!.scalars, bias = model.parameters["dw/bias"]?.scalars
        var y = [Float](repeating: 0, count: x.batchSize * oh * ow * f)
        for b in 0..<x.batchSize {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for k in 0..<f {
                        var sum = Double(bias?[k] ?? 0)
                        for ky in 0..<c.kernel.0 {
                            for kx in 0..<c.kernel.1 {
                                let iy = oy * c.strides.0 - c.pads.top + ky * c.dilations.0
                                let ix = ox * c.strides.1 - c.pads.left + kx * c.dilations.1
                                guard (0..<h).contains(iy), (0..<w).contains(ix) else { continue }
                                let xv = x.scalars[((b * h + iy) * w + ix) * ch + k / c.multiplier]
                                sum += Double(xv) * Double(kernel[(ky * c.kernel.1 + kx) * f + k])
                            }
                        }
                        y[((b * oh + oy) * ow + ox) * f + k] = Self.activate(c.activation, Float(sum))
                    }
                }
            }
        }
        return y
    }

    static func activate(_ activation: Activation, _ x: Float) -> Float {
        switch activation {
        case .relu: max(x, 0)
        case .clip(let low, let high): min(max(x, low), high)
        case .silu: x / (1 + Float(Foundation.exp(Double(-x))))
        case .tanh: Float(Foundation.tanh(Double(x)))
        default: x
        }
    }

    @Test(arguments: cases)
    func forwardMatchesTheDefinition(_ c: Case) {
        let model = Self.model(c)
        #expect(c.layer.forwardKernel == (ConvolutionKernel.fastPathsAllowed ? .depthwise : .im2col))
        let x = randomTensor([3] + c.input, seed: 7)
        let expected = Self.naive(c, model, x)
        for threads in [1, 2] {
            let out = model.outputs(x, threads: threads)[0].scalars
            #expect(maxAbsDifference(out, expected) < 1e-5 * max(expected.map(abs).max()!, 1), "threads \(threads)")
        }
    }

    @Test(arguments: cases)
    func gradientsMatchFiniteDifferences(_ c: Case) {
        let model = Self.model(c)
        let check = GradientCheck(model: model, input: randomTensor([2] + c.input, seed: 8))
        let worst = check.worstError(samples: 60)
        #expect(worst.input < 1e-2)
        #expect(worst.parameters < 1e-2)
        // An explanation asks for the input's gradient alone: the same values.
        let ws = Workspace(model: model, capacity: 2)
        ws.setInput(check.input)
        model.forward(ws, batch: 2)
        ws.setGradient(of: 0, check.projection)
        model.backward(ws, batch: 2, from: 0, to: -1, threads: 2)
        let alone = ws.gradient(of: -1, batch: 2, shape: c.input).scalars
        #expect(maxAbsDifference(alone, check.analytic().input.scalars) < 1e-6)
    }

    /// Past 29,127 output pixels a nonlinear layer's input gradient is gathered band by band
    /// (the pre-activation gradient of one band at a time): input rows at a band's edge get
    /// their taps from two bands. Checked against the parameter-gradient path, which
    /// scatters every output pixel's taps into the input gradient in the Swift loops.
    @Test(arguments: [
        Case(input: [150, 100, 9], activation: .silu),
        Case(
            input: [301, 200, 10], strides: (2, 2), pads: Pads(top: 0, bottom: 1, left: 0, right: 1), activation: .silu),
    ])
    func bandedInputGradientMatchesTheScatteredOne(_ c: Case) {
        let model = Self.model(c)
        let layer = c.layer
        #expect(3 * layer.outputShape[0] * layer.outputShape[1] > layer.chunkRows, "more than one band")
        let ws = Workspace(model: model, capacity: 3)
        ws.setInput(randomTensor([3] + c.input, seed: 9))
        model.forward(ws, batch: 3)
        ws.setGradient(of: 0, randomTensor([3] + layer.outputShape, seed: 10))
        let parameterGradients = [Float](repeating: 0, count: model.parameters.values.count)
        var scattered: [Float] = []
        parameterGradients.withUnsafeBufferPointer { buffer in
            model.backward(
                ws, batch: 3, from: 0, to: -1, parameterGradients: UnsafeMutablePointer(mutating: buffer.baseAddress!))
            scattered = ws.gradient(of: -1, batch: 3, shape: c.input).scalars
        }
        for threads in [1, 2] {
            model.backward(ws, batch: 3, from: 0, to: -1, threads: threads)
            let gathered = ws.gradient(of: -1, batch: 3, shape: c.input).scalars
            #expect(maxAbsDifference(gathered, scattered) < 1e-5, "threads \(threads)")
        }
    }
}
