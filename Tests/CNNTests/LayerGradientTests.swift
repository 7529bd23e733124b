import CNN
import Testing
import TestSupport

/// Finite-difference checks of every layer type's backward pass, for the input and the parameters.
@Suite struct LayerGradientTests {
    func check(
        _ layers: [any Layer], inputShape: [Int], batch: Int = 2, dropout: DropoutKey? = nil,
        tolerance: Double = 2e-2
    ) {
        let model = Model(name: "t", inputShape: inputShape, layers: layers, seed: 9)
        let input = randomTensor([batch] + inputShape, seed: 21)
        let check = GradientCheck(model: model, input: input, dropout: dropout)
        let worst = check.worstError()
        #expect(worst.input < tolerance, "input gradient off by \(worst.input)")
        #expect(worst.parameters < tolerance, "parameter gradient off by \(worst.parameters)")
    }

    @Test func conv2DValidReLU() {
        check(
            [Conv2D(name: "c", inputShape: [6, 5, 2], filters: 3, kernelSize: (3, 3), activation: .relu)],
            inputShape: [6, 5, 2])
    }

    @Test func conv2DSameStridedLinear() {
        check(
            [
                Conv2D(
                    name: "c", inputShape: [7, 6, 3], filters: 4, kernelSize: (3, 2), strides: (2, 2), padding: .same)
            ],
            inputShape: [7, 6, 3])
    }

    @Test func conv2DManyRowsCrossChunks() {
        // 64 channels × 9 taps: the im2col matrix is processed in several chunks.
        check(
            [Conv2D(name: "c", inputShape: [30, 30, 64], filters: 2, kernelSize: (3, 3), activation: .relu)],
            inputShape: [30, 30, 64], batch: 2)
    }

    @Test func maxPoolValidAndSame() {
        check([MaxPool2D(name: "p", inputShape: [6, 6, 3], poolSize: (2, 2))], inputShape: [6, 6, 3])
        check(
            [MaxPool2D(name: "p", inputShape: [5, 7, 2], poolSize: (3, 3), strides: (2, 2), padding: .same)],
            inputShape: [5, 7, 2])
    }

    @Test func denseReLUAndLinear() {
        check([Dense(name: "d", inputShape: [12], units: 5, activation: .relu)], inputShape: [12])
        check([Dense(name: "d", inputShape: [12], units: 5, activation: .softmax)], inputShape: [12])
    }

    @Test func dropoutInTrainingAndInference() {
        let layer = Dropout(name: "x", inputShape: [20], rate: 0.5)
        check([layer], inputShape: [20], dropout: DropoutKey(seed: 1, step: 3, firstSample: 0))
        check([layer], inputShape: [20])
    }

    @Test("local response normalization, odd and even windows, near and far from the edge channels")
    func localResponseNormalization() {
        for (size, before) in [(5, 2), (4, 1), (2, 0), (1, 0)] {
            // A large alpha makes the neighbours' terms of the gradient count.
            check(
                [
                    LocalResponseNormalization(
                        name: "n", inputShape: [3, 2, 6], size: size, alpha: 2, beta: 0.75, bias: 1.5, before: before)
                ],
                inputShape: [3, 2, 6], tolerance: 1e-2)
        }
    }

    @Test("layer normalization over channels and over a token's features, input and gamma/beta gradients")
    func layerNormalization() {
        check([LayerNormalization(name: "n", inputShape: [3, 2, 5], epsilon: 1e-3)], inputShape: [3, 2, 5])
        check([LayerNormalization(name: "n", inputShape: [4, 6])], inputShape: [4, 6])
    }

    @Test("resizing, nearest and linear, up and down, in every coordinate convention")
    func resize() {
        for mode in [Resize2D.Mode.nearest, .linear] {
            for coordinates in [Resize2D.Coordinates.halfPixel, .pytorchHalfPixel, .asymmetric, .alignCorners] {
                for size in [(7, 10), (2, 3)] {
                    check(
                        [
                            Resize2D(
                                name: "r", inputShape: [4, 5, 2], outputSize: size, mode: mode, coordinates: coordinates
                            )
                        ],
                        inputShape: [4, 5, 2])
                }
            }
        }
    }

    @Test("channel gathers: a shuffle, a range, and channels taken twice (their gradients add)")
    func channelGather() {
        let order = Gather.shuffle(channels: 6, groups: 2)
        #expect(order == [0, 3, 1, 4, 2, 5])
        check([Gather(name: "p", inputShape: [2, 3, 6], indices: order)], inputShape: [2, 3, 6])
        check([Gather(name: "p", inputShape: [2, 3, 6], indices: [3, 4, 5])], inputShape: [2, 3, 6])
        check([Gather(name: "p", inputShape: [2, 3, 6], indices: [1, 1, 0, 5])], inputShape: [2, 3, 6])
    }

    @Test func flatten() {
        let f = Flatten(name: "f", inputShape: [3, 2, 2])
        check([f, Dense(name: "d", inputShape: f.outputShape, units: 3)], inputShape: [3, 2, 2])
    }

    @Test func wholeModelFromLogitsToInput() {
        let model = tinyModel()
        let input = randomTensor([2, 28, 28, 1], seed: 4, low: 0, high: 1)
        let worst = GradientCheck(model: model, input: input, dropout: DropoutKey(seed: 2, step: 0, firstSample: 0))
            .worstError()
        #expect(worst.input < 2e-2 && worst.parameters < 2e-2, "\(worst)")
    }

    /// Backward from an intermediate layer (what Grad-CAM needs: d logit / d conv2d_2).
    /// Linear convolutions: with ReLUs, nudging one first-layer weight moves hundreds of
    /// pre-activations at once and some cross zero, which finite differences cannot follow.
    @Test func intermediateGradientMatchesFiniteDifferences() {
        let c1 = Conv2D(name: "conv2d_1", inputShape: [28, 28, 1], filters: 4, kernelSize: (3, 3))
        let c2 = Conv2D(name: "conv2d_2", inputShape: c1.outputShape, filters: 6, kernelSize: (3, 3))
        let pool = MaxPool2D(name: "p", inputShape: c2.outputShape, poolSize: (2, 2))
        let model = Model(name: "m", inputShape: [28, 28, 1], layers: [c1, c2, pool], seed: 4)
        let input = randomTensor([1, 28, 28, 1], seed: 8, low: 0, high: 1)
        let worst = GradientCheck(model: model, input: input, layer: 1).worstError()
        #expect(worst.input < 2e-2 && worst.parameters < 2e-2, "\(worst)")
    }

    /// The gradient on conv2d_2's output equals the one obtained by stopping there.
    @Test func backwardStopsAtTheRequestedLayer() {
        let model = tinyModel()
        let input = randomTensor([1, 28, 28, 1], seed: 8, low: 0, high: 1)
        let last = model.layers.count - 1
        var seed = Tensor(shape: [1, 10]); seed.scalars[3] = 1
        func gradientAtConv2(to target: Int) -> Tensor {
            let ws = Workspace(model: model, capacity: 1)
            ws.setInput(input)
            model.forward(ws, batch: 1)
            ws.setGradient(of: last, seed)
            model.backward(ws, batch: 1, from: last, to: target)
            return ws.gradient(of: 1, batch: 1, shape: model.layers[1].outputShape)
        }
        let full = gradientAtConv2(to: -1), partial = gradientAtConv2(to: 1)
        #expect(full == partial)
        #expect(full.scalars.contains { $0 != 0 })
    }
}
