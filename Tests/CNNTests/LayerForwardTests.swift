import CNN
import Testing
import TestSupport

/// Forward passes against direct, loop-by-loop computations of the same definitions.
@Suite struct LayerForwardTests {
    func run(_ layer: any Layer, _ input: Tensor, parameters: [Float]? = nil) -> (Tensor, Model) {
        var model = Model(name: "t", inputShape: layer.inputShape, layers: [layer], seed: 5)
        if let parameters { model.parameters.values = parameters }
        return (model.outputs(input, threads: 1)[0], model)
    }

    @Test func conv2DValidMatchesDirectSum() {
        let layer = Conv2D(name: "c", inputShape: [7, 8, 3], filters: 5, kernelSize: (3, 2))
        let x = randomTensor([2, 7, 8, 3], seed: 1)
        var (y, model) = run(layer, x)
        model.parameters.set("c/bias", randomTensor([5], seed: 2))
        y = model.outputs(x, threads: 1)[0]
        #expect(layer.outputShape == [5, 7, 5])
        let expected = naiveConv(
            x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
            stride: 1, padTop: 0, padLeft: 0, out: layer.outputShape)
        #expect(maxAbsDifference(y.scalars, expected) < 1e-5)
    }

    @Test func conv2DSameStride2MatchesKerasPadding() {
        // Keras 'same', stride 2, 7 → 4 outputs: total padding (4-1)·2+3-7 = 2, 1 on top.
        let layer = Conv2D(
            name: "c", inputShape: [7, 7, 2], filters: 3, kernelSize: (3, 3), strides: (2, 2), padding: .same)
        #expect(layer.outputShape == [4, 4, 3])
        let x = randomTensor([1, 7, 7, 2], seed: 3)
        let (y, model) = run(layer, x)
        let expected = naiveConv(
            x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
            stride: 2, padTop: 1, padLeft: 1, out: layer.outputShape)
        #expect(maxAbsDifference(y.scalars, expected) < 1e-5)
    }

    @Test("LRN divides by the window's sum of squares, clipped at the edge channels; ONNX's even window")
    func localResponseNormalization() {
        // α / size = 1, β = 1, bias 1: s = 1 + Σ x² over the window.
        let x = Tensor(shape: [1, 1, 1, 3], scalars: [1, 2, 3])
        let centred = LocalResponseNormalization(name: "n", inputShape: [1, 1, 3], size: 3, alpha: 3, beta: 1, bias: 1)
        #expect(maxAbsDifference(run(centred, x).0.scalars, [1.0 / 6, 2.0 / 15, 3.0 / 14]) < 1e-7)
        // size 2: ONNX puts ⌊(2 − 1) / 2⌋ = 0 channels before and 1 after.
        let even = LocalResponseNormalization(name: "n", inputShape: [1, 1, 3], size: 2, alpha: 2, beta: 0.5, bias: 0)
        #expect(even.before == 0)
        let expected: [Float] = [1 / Float(5).squareRoot(), 2 / Float(13).squareRoot(), 3 / Float(9).squareRoot()]
        #expect(maxAbsDifference(run(even, x).0.scalars, expected) < 1e-6)
    }

    @Test("resize: nearest doubles each value (asymmetric, floor); linear with half-pixel centres")
    func resize() {
        let x = Tensor(shape: [1, 1, 3, 1], scalars: [1, 2, 4])
        let nearest = Resize2D(
            name: "r", inputShape: [1, 3, 1], outputSize: (1, 6), mode: .nearest, coordinates: .asymmetric,
            rounding: .floor)
        #expect(run(nearest, x).0.scalars == [1, 1, 2, 2, 4, 4])
        // Half-pixel, scale 2: output j reads input (j + 0.5) / 2 − 0.5 = −0.25, 0.25, 0.75, 1.25,
        // 1.75, 2.25, clamped to [0, 2].
        let linear = Resize2D(name: "r", inputShape: [1, 3, 1], outputSize: (1, 6), mode: .linear)
        #expect(maxAbsDifference(run(linear, x).0.scalars, [1, 1.25, 1.75, 2.5, 3.5, 4]) < 1e-6)
    }

    @Test func reluClampsNegativeOutputs() {
        let layer = Dense(name: "d", inputShape: [2], units: 2, activation: .relu)
        let (y, _) = run(layer, Tensor(shape: [1, 2], scalars: [1, 2]), parameters: [1, -1, 1, -1, 0.5, 0])
        // x·W + b = [1·1 + 2·1 + 0.5, 1·(-1) + 2·(-1) + 0] = [3.5, -3] → ReLU
        #expect(y.scalars == [3.5, 0])
    }

    @Test func maxPoolPicksWindowMaxima() {
        let layer = MaxPool2D(name: "p", inputShape: [4, 4, 1], poolSize: (2, 2))
        let x = Tensor(shape: [1, 4, 4, 1], scalars: (0..<16).map { Float(($0 * 7) % 16) })
        let (y, _) = run(layer, x)
        // rows: [0 7 14 5] [12 3 10 1] [8 15 6 13] [4 11 2 9]
        #expect(y.scalars == [12, 14, 15, 13])
    }

    @Test func flattenKeepsHeightWidthChannelOrder() {
        let layer = Flatten(name: "f", inputShape: [2, 2, 3])
        let x = Tensor(shape: [1, 2, 2, 3], scalars: (0..<12).map(Float.init))
        let (y, _) = run(layer, x)
        #expect(y.shape == [1, 12])
        #expect(y[0, 5] == x[0, 0, 1, 2])
    }

    @Test func dropoutIsIdentityAtInference() {
        let x = randomTensor([3, 10], seed: 4)
        let (y, _) = run(Dropout(name: "d", inputShape: [10], rate: 0.5), x)
        #expect(y == x)
    }

    @Test func glorotUniformLimitsAndZeroBiases() {
        let model = tinyModel(seed: 1, filters: (32, 64), hidden: 128)
        let kernel = model.parameters["conv2d_2/kernel"]!.scalars
        let limit = Float((6.0 / Double(9 * 32 + 9 * 64)).squareRoot())
        #expect(kernel.allSatisfy { abs($0) <= limit })
        #expect(kernel.map { abs($0) }.max()! > 0.95 * limit)
        #expect(model.parameters["dense_1/bias"]!.scalars.allSatisfy { $0 == 0 })
        // The mean of U(-l, l) is 0 and its variance l²/3.
        let variance = kernel.reduce(0) { $0 + Double($1 * $1) } / Double(kernel.count)
        #expect(abs(variance - Double(limit * limit) / 3) < 0.05 * Double(limit * limit) / 3)
    }

    @Test func predictorMatchesPerSampleForward() {
        let model = tinyModel()
        let x = randomTensor([37, 28, 28, 1], seed: 6, low: 0, high: 1)
        let batched = model.logits(x)
        for i in [0, 17, 36] {
            let single = model.outputs(x.samples(i..<i + 1), threads: 1).last!
            #expect(maxAbsDifference(Array(batched.scalars[i * 10..<i * 10 + 10]), single.scalars) < 1e-5)
        }
    }

    @Test func softmaxIsStableAndNormalized() {
        let p = softmax(Tensor(shape: [1, 3], scalars: [1000, 1001, 1002]))
        #expect(abs(p.scalars.reduce(0, +) - 1) < 1e-6)
        #expect(abs(p.scalars[2] - 0.66524096) < 1e-6)
    }

    /// One sample through a dense layer (with AVX2: skipping zero inputs): the sums.
    @Test(arguments: [(200, 24, 1), (200, 24, 2), (9216, 128, 2), (7, 8, 2)])
    func denseOneSampleMatchesSums(inputs: Int, units: Int, threads: Int) {
        let layer = Dense(name: "d", inputShape: [inputs], units: units, activation: .relu)
        var model = Model(name: "t", inputShape: [inputs], layers: [layer], seed: 4)
        model.parameters.set("d/bias", randomTensor([units], seed: 5))
        // Mostly zeros, as after ReLU and pooling; some inputs negative.
        var random = SeededRandom(seed: 6)
        let x = (0..<inputs).map { _ in random.nextUnit() < 0.8 ? Float(0) : random.uniform(-1, 1) }
        let kernel = model.parameters["d/kernel"]!, bias = model.parameters["d/bias"]!
        let expected = (0..<units).map { u in
            max(0, (0..<inputs).reduce(bias[u]) { $0 + x[$1] * kernel[$1, u] })
        }
        let y = model.outputs(Tensor(shape: [1, inputs], scalars: x), threads: threads)[0].scalars
        #expect(maxAbsDifference(y, expected) < 1e-4)
    }

    /// Valid max pooling (with AVX2 or without): maxima and winners (the first of equal maxima) as the
    /// definition gives them, seen through the backward pass that routes gradients to them.
    @Test(arguments: [([6, 6, 16], (2, 2), (2, 2)), ([7, 9, 11], (3, 3), (2, 2)), ([5, 4, 8], (2, 1), (1, 1))])
    func maxPoolMatchesDefinition(shape: [Int], pool: (Int, Int), strides: (Int, Int)) {
        let layer = MaxPool2D(name: "p", inputShape: shape, poolSize: pool, strides: strides)
        let model = Model(name: "t", inputShape: shape, layers: [layer], seed: 1)
        // Values on a coarse grid, so windows often hold equal maxima.
        var random = SeededRandom(seed: 2)
        let x = (0..<(2 * shape.elementCount)).map { _ in Float(Int(random.nextUnit() * 5)) }
        let ws = Workspace(model: model, capacity: 2)
        ws.setInput(Tensor(shape: [2] + shape, scalars: x))
        model.forward(ws, batch: 2)
        let (h, w, c) = (shape[0], shape[1], shape[2]), (oh, ow) = (layer.outputShape[0], layer.outputShape[1])
        var expected: [Float] = [], winnerGradient = [Float](repeating: 0, count: x.count)
        for b in 0..<2 {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    for ch in 0..<c {
                        var best = -Float.infinity, at = 0
                        for py in 0..<pool.0 {
                            for px in 0..<pool.1 {
                                let i = ((b * h + oy * strides.0 + py) * w + ox * strides.1 + px) * c + ch
                                if x[i] > best { best = x[i]; at = i }
                            }
                        }
                        expected.append(best)
                        winnerGradient[at] += 1
                    }
                }
            }
        }
        #expect(ws.output(of: 0, batch: 2, shape: layer.outputShape).scalars == expected)
        ws.setGradient(
            of: 0, Tensor(shape: [2] + layer.outputShape, scalars: [Float](repeating: 1, count: expected.count)))
        model.backward(ws, batch: 2, from: 0)
        #expect(ws.gradient(of: -1, batch: 2, shape: shape).scalars == winnerGradient)
    }
}
