import CNN
import Testing
import TestSupport

/// Finite-difference checks of the layers graphs and imported models need, and of
/// backward passes through residual additions and concatenations.
@Suite struct GraphLayerGradientTests {
    func check(
        _ layers: [any Layer], inputs: [[Int]]? = nil, inputShape: [Int], batch: Int = 2,
        training: Bool = false, tolerance: Double = 2e-2, low: Float = -1, high: Float = 1
    ) {
        let model = Model(name: "t", inputShape: inputShape, layers: layers, inputs: inputs, seed: 9)
        let input = randomTensor([batch] + inputShape, seed: 21, low: low, high: high)
        let key = training ? DropoutKey(seed: 1, step: 0, firstSample: 0) : nil
        let worst = GradientCheck(model: model, input: input, dropout: key).worstError()
        #expect(worst.input < tolerance, "input gradient off by \(worst.input)")
        #expect(worst.parameters < tolerance, "parameter gradient off by \(worst.parameters)")
    }

    static let activations: [Activation] = [
        .relu, .clip(low: -0.5, high: 0.5), .leakyReLU(slope: 0.2), .sigmoid, .hardSigmoid(alpha: 0.2, beta: 0.5),
        .tanh, .silu, .hardSwish,
        .gelu(approximate: false), .gelu(approximate: true), .softmax, .linear,
    ]

    @Test("every activation, as a layer and fused into Dense", arguments: activations)
    func activation(_ activation: Activation) {
        // Inputs up to ±4 cross hard_swish's bends at ±3.
        check(
            [ActivationLayer(name: "a", inputShape: [3, 4, 2], activation: activation)], inputShape: [3, 4, 2],
            low: -4, high: 4)
        check([Dense(name: "d", inputShape: [6], units: 5, activation: activation)], inputShape: [6])
    }

    @Test func convolutionWithPreActivationActivations() {
        for activation in [Activation.silu, .gelu(approximate: false), .hardSwish] {
            check(
                [Conv2D(name: "c", inputShape: [5, 5, 2], filters: 3, kernelSize: (3, 3), activation: activation)],
                inputShape: [5, 5, 2])
        }
    }

    @Test func convolutionDilatedGroupedPaddedAndBiasFree() {
        check(
            [
                Conv2D(
                    name: "dilated", inputShape: [7, 8, 2], filters: 3, kernelSize: (3, 2), strides: (1, 2),
                    pads: Pads(top: 2, bottom: 0, left: 1, right: 3), dilations: (2, 3))
            ], inputShape: [7, 8, 2])
        check(
            [
                Conv2D(
                    name: "grouped", inputShape: [5, 5, 4], filters: 6, kernelSize: (3, 3), padding: .same,
                    groups: 2, useBias: false)
            ], inputShape: [5, 5, 4])
        check(
            [
                Conv2D(
                    name: "depthwise", inputShape: [6, 6, 3], filters: 6, kernelSize: (3, 3), strides: (2, 2),
                    padding: .same, groups: 3, kind: "DepthwiseConv2D")
            ], inputShape: [6, 6, 3])
    }

    @Test func channelAffine() {
        var model = Model(
            name: "t", inputShape: [3, 2, 4], layers: [ChannelAffine(name: "a", inputShape: [3, 2, 4])], seed: 1)
        model.parameters.set("a/scale", Tensor(shape: [4], scalars: [2, -1, 0.5, 3]))
        model.parameters.set("a/shift", Tensor(shape: [4], scalars: [0.1, 0, -2, 1]))
        let input = randomTensor([2, 3, 2, 4], seed: 3)
        let worst = GradientCheck(model: model, input: input).worstError()
        #expect(worst.input < 2e-2 && worst.parameters < 2e-2, "\(worst)")
        let out = model.outputs(input)[0].scalars
        #expect(abs(out[0] - (input.scalars[0] * 2 + 0.1)) < 1e-6 && abs(out[3] - (input.scalars[3] * 3 + 1)) < 1e-6)
    }

    @Test func batchNormalizationInInferenceAndTraining() {
        var model = Model(
            name: "t", inputShape: [3, 3, 4], layers: [BatchNormalization(name: "bn", inputShape: [3, 3, 4])], seed: 1)
        // Moving statistics and scales away from their initial 0 and 1.
        for (key, values) in [
            ("bn/gamma", [1.5, -0.5, 2, 0.7]), ("bn/beta", [0.1, 0.2, -0.3, 0]),
            ("bn/moving_mean", [0.2, -0.1, 0.5, 0]), ("bn/moving_variance", [0.5, 2, 1, 0.1]),
        ] {
            model.parameters.set(key, Tensor(shape: [4], scalars: values.map(Float.init)))
        }
        let input = randomTensor([3, 3, 3, 4], seed: 2)
        for key in [nil, DropoutKey(seed: 1, step: 0, firstSample: 0)] {
            let worst = GradientCheck(model: model, input: input, dropout: key).worstError()
            #expect(worst.input < 2e-2 && worst.parameters < 2e-2, "training \(key != nil): \(worst)")
        }
        check(
            [BatchNormalization(name: "bn", inputShape: [5], center: false, scale: false)], inputShape: [5], batch: 4,
            training: true)
    }

    static let poolingLayers: [(String, any Layer)] = [
        ("average valid", AveragePool2D(name: "p", inputShape: [6, 6, 3], poolSize: (2, 2))),
        (
            "average same",
            AveragePool2D(
                name: "p", inputShape: [5, 7, 2], poolSize: (3, 3), strides: (2, 2), padding: .same)
        ),
        (
            "average counting padding",
            AveragePool2D(
                name: "p", inputShape: [5, 5, 2], poolSize: (3, 3), strides: (2, 2),
                pads: Pads(top: 1, bottom: 1, left: 1, right: 1), countIncludePad: true)
        ),
        (
            "max padded",
            MaxPool2D(
                name: "p", inputShape: [6, 6, 2], poolSize: (3, 3), strides: (2, 2),
                pads: Pads(top: 1, bottom: 1, left: 1, right: 1))
        ),
        ("global average", GlobalPool2D(name: "g", inputShape: [4, 3, 5], reduction: .average)),
        ("global max", GlobalPool2D(name: "g", inputShape: [4, 3, 5], reduction: .max, keepDims: true)),
        (
            "zero padding",
            ZeroPadding2D(name: "z", inputShape: [3, 4, 2], pads: Pads(top: 1, bottom: 2, left: 0, right: 3))
        ),
        (
            "cropping",
            Cropping2D(name: "crop", inputShape: [5, 6, 2], crops: Pads(top: 1, bottom: 2, left: 0, right: 3))
        ),
    ]

    @Test("pooling and padding", arguments: poolingLayers.indices)
    func poolingAndPadding(_ index: Int) {
        let (what, layer) = Self.poolingLayers[index]
        let model = Model(name: "t", inputShape: layer.inputShape, layers: [layer], seed: 9)
        // Distinct values at least 0.01 apart: a finite-difference step must not change
        // which input wins a max.
        let count = 2 * layer.inputShape.elementCount
        let values = (0..<count).map { Float(($0 * 7919) % count) / Float(count) * 2 - 1 }
        let input = Tensor(shape: [2] + layer.inputShape, scalars: values)
        let worst = GradientCheck(model: model, input: input).worstError()
        #expect(worst.input < 2e-2, "\(what): input gradient off by \(worst.input)")
    }

    /// input → a → b → add(a, b) → concat(add, a) → flatten → dense: `a` feeds three
    /// layers, so its gradient is the sum of three paths.
    @Test func residualAndConcatenatedBranches() {
        let a = Conv2D(name: "a", inputShape: [5, 5, 2], filters: 3, kernelSize: (3, 3), padding: .same)
        let b = Conv2D(name: "b", inputShape: a.outputShape, filters: 3, kernelSize: (3, 3), padding: .same)
        let add = Add(name: "add", inputShapes: [a.outputShape, b.outputShape])
        let cat = Concatenate(name: "cat", inputShapes: [add.outputShape, a.outputShape])
        let flat = Flatten(name: "f", inputShape: cat.outputShape)
        let dense = Dense(name: "d", inputShape: flat.outputShape, units: 4)
        check(
            [a, b, add, cat, flat, dense], inputs: [[-1], [0], [0, 1], [2, 0], [3], [4]], inputShape: [5, 5, 2])
        // The same node twice, and a concatenation along a spatial axis.
        let twice = Add(name: "twice", inputShapes: [[5, 5, 2], [5, 5, 2]])
        let rows = Concatenate(name: "rows", inputShapes: [[5, 5, 2], [5, 5, 2]], axis: 0)
        check([twice, rows], inputs: [[-1, -1], [0, -1]], inputShape: [5, 5, 2])
        check([Reshape(name: "r", inputShape: [4, 3, 2], outputShape: [6, 4])], inputShape: [4, 3, 2])
    }

    /// A squeeze-and-excitation block: a feature map times a gate computed from its own
    /// global average (one value per channel, broadcast over the positions); and a plain
    /// product of two maps of one shape, and of a map with itself.
    @Test func multiplicationsAndSqueezeExcitation() {
        let a = Conv2D(name: "a", inputShape: [4, 5, 2], filters: 3, kernelSize: (3, 3), padding: .same)
        let squeeze = GlobalPool2D(name: "squeeze", inputShape: a.outputShape, reduction: .average, keepDims: true)
        let excite = Conv2D(
            name: "excite", inputShape: squeeze.outputShape, filters: 3, kernelSize: (1, 1),
            activation: .hardSigmoid(alpha: 0.2, beta: 0.5))
        let gate = Multiply(name: "gate", inputShapes: [a.outputShape, excite.outputShape])
        #expect(gate.broadcastsChannels)
        let flat = Flatten(name: "f", inputShape: gate.outputShape)
        let dense = Dense(name: "d", inputShape: flat.outputShape, units: 3)
        check(
            [a, squeeze, excite, gate, flat, dense], inputs: [[-1], [0], [1], [0, 2], [3], [4]], inputShape: [4, 5, 2])
        let b = Conv2D(name: "b", inputShape: [4, 5, 2], filters: 2, kernelSize: (3, 3), padding: .same)
        check(
            [
                b, Multiply(name: "m", inputShapes: [[4, 5, 2], [4, 5, 2]]),
                Multiply(name: "sq", inputShapes: [[4, 5, 2], [4, 5, 2]]),
            ],
            inputs: [[-1], [-1, 0], [1, 1]], inputShape: [4, 5, 2])
        #expect(!Multiply.fits([4, 5, 2], [1, 1, 3]) && Multiply.fits([4, 5, 3], [1, 1, 3]))
    }

    /// Maps large enough to be split across threads: the product and both gradients, value for
    /// value as the definition gives them (one multiplication per value, or a sum over the
    /// positions in one sample's order), on one thread and two.
    @Test(arguments: [[1, 1, 24], [30, 40, 24]])
    func largeProductsMatchTheDefinition(second: [Int]) {
        let shape = [30, 40, 24], batch = 3
        let layer = Multiply(name: "m", inputShapes: [shape, second])
        let a = randomTensor([batch] + shape, seed: 11).scalars, b = randomTensor([batch] + second, seed: 12).scalars
        let dy = randomTensor([batch] + shape, seed: 13).scalars
        let positions = 30 * 40, other = second.elementCount
        func bIndex(_ i: Int) -> Int {
            let n = i / (positions * 24)
            return other == 24 ? n * 24 + i % 24 : i
        }
        let product = a.indices.map { a[$0] * b[bIndex($0)] }
        let da = dy.indices.map { dy[$0] * b[bIndex($0)] }
        var db = [Float](repeating: 0, count: b.count)
        for i in a.indices { db[bIndex(i)] += dy[i] * a[i] }
        for threads in [1, 2] {
            #expect(layer.output(of: [a, b], parameters: [], batch: batch, threads: threads) == product)
            let gradients = layer.inputGradients(
                at: [a, b], parameters: [], outputGradient: dy, batch: batch, threads: threads)
            #expect(gradients[0] == da, "threads \(threads)")
            #expect(gradients[1] == db, "threads \(threads)")
        }
    }
}
