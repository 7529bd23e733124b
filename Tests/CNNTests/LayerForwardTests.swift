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
        let expected = naiveConv(x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
                                 stride: 1, padTop: 0, padLeft: 0, out: layer.outputShape)
        #expect(maxAbsDifference(y.scalars, expected) < 1e-5)
    }

    @Test func conv2DSameStride2MatchesKerasPadding() {
        // Keras 'same', stride 2, 7 → 4 outputs: total padding (4-1)·2+3-7 = 2, 1 on top.
        let layer = Conv2D(name: "c", inputShape: [7, 7, 2], filters: 3, kernelSize: (3, 3), strides: (2, 2), padding: .same)
        #expect(layer.outputShape == [4, 4, 3])
        let x = randomTensor([1, 7, 7, 2], seed: 3)
        let (y, model) = run(layer, x)
        let expected = naiveConv(x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
                                 stride: 2, padTop: 1, padLeft: 1, out: layer.outputShape)
        #expect(maxAbsDifference(y.scalars, expected) < 1e-5)
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
            #expect(maxAbsDifference(Array(batched.scalars[i * 10 ..< i * 10 + 10]), single.scalars) < 1e-5)
        }
    }

    @Test func softmaxIsStableAndNormalized() {
        let p = softmax(Tensor(shape: [1, 3], scalars: [1000, 1001, 1002]))
        #expect(abs(p.scalars.reduce(0, +) - 1) < 1e-6)
        #expect(abs(p.scalars[2] - 0.66524096) < 1e-6)
    }
}
