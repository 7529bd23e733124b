import CKernels
import CNN
import Testing
import TestSupport
@testable import CNNCore

/// The hand-written forward kernels (CKernels) against the same layers computed loop by
/// loop, on shapes that exercise their edges: odd output sizes (Winograd tiles past the
/// edge), channel counts that are not multiples of 8, output channels in blocks of 8 and
/// 16, several images, one and two threads.
@Suite(.enabled(if: ConvolutionKernel.fastKernelsAvailable, "needs AVX2 and FMA"))
struct FastKernelTests {
    /// The layer's output for `x` with random kernel and bias, and the loop-by-loop value.
    func compare(_ layer: Conv2D, batch: Int, threads: Int, seed: UInt64) -> (fast: [Float], naive: [Float]) {
        var model = Model(name: "t", inputShape: layer.inputShape, layers: [layer], seed: seed)
        model.parameters.set("c/bias", randomTensor([layer.filters], seed: seed + 1))
        let x = randomTensor([batch] + layer.inputShape, seed: seed + 2)
        var naive = naiveConv(
            x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
            stride: 1, padTop: 0, padLeft: 0, out: layer.outputShape)
        if layer.activation == .relu { naive = naive.map { max($0, 0) } }
        return (model.outputs(x, threads: threads)[0].scalars, naive)
    }

    @Test(arguments: [
        ([26, 26, 32], 64, Activation.relu, ConvolutionKernel.winograd4x4),  // the reference model's conv2d_2
        ([9, 7, 8], 8, .linear, .winograd4x4),  // outputs 7×5: tiles hang past both edges
        ([11, 10, 16], 24, .relu, .winograd4x4),  // outputs 9×8; one 16-wide and one 8-wide block
        ([9, 7, 12], 8, .linear, .winograd2x2),  // 12 channels: F(2×2, 3×3), tiles past the edges
        ([6, 8, 12], 24, .relu, .winograd2x2),
        ([5, 5, 9], 16, .linear, .winograd2x2),  // a channel past the 8-wide vectors
    ])
    func winogradMatchesDirectSum(shape: [Int], filters: Int, activation: Activation, kernel: ConvolutionKernel) {
        let layer = Conv2D(name: "c", inputShape: shape, filters: filters, kernelSize: (3, 3), activation: activation)
        #expect(layer.forwardKernel == kernel)
        for threads in [1, 2] {
            let (fast, naive) = compare(layer, batch: 3, threads: threads, seed: UInt64(shape[2] + threads))
            // F(4×4, 3×3) rounds to a few 1e-6 of the outputs' magnitude.
            let scale = naive.map(abs).max() ?? 1
            #expect(maxAbsDifference(fast, naive) < 1e-5 * max(scale, 1), "threads \(threads)")
        }
    }

    /// `same` 3×3 convolutions (ResNets' every layer) run Winograd over one cell of zeros,
    /// with or without a bias; the input gradient goes through the transposed convolution.
    @Test(arguments: [([9, 7, 16], 16, true), ([8, 8, 8], 24, false), ([5, 6, 12], 8, true)])
    func paddedWinogradMatchesIm2col(shape: [Int], filters: Int, bias: Bool) {
        let fast = Conv2D(
            name: "c", inputShape: shape, filters: filters, kernelSize: (3, 3), padding: .same, activation: .relu,
            useBias: bias)
        #expect([.winograd4x4, .winograd2x2].contains(fast.forwardKernel))
        var model = Model(name: "t", inputShape: shape, layers: [fast], seed: 21)
        if bias { model.parameters.set("c/bias", randomTensor([filters], seed: 22)) }
        let x = randomTensor([2] + shape, seed: 23)
        let padded = Tensor(
            shape: [2, shape[0] + 2, shape[1] + 2, shape[2]],
            scalars: (0..<2).flatMap { b in
                (0..<(shape[0] + 2)).flatMap { y in
                    (0..<(shape[1] + 2)).flatMap { xx in
                        (0..<shape[2]).map { c -> Float in
                            let (iy, ix) = (y - 1, xx - 1)
                            guard (0..<shape[0]).contains(iy), (0..<shape[1]).contains(ix) else { return 0 }
                            return x.scalars[((b * shape[0] + iy) * shape[1] + ix) * shape[2] + c]
                        }
                    }
                }
            })
        let naive = naiveConv(
            padded, kernel: model.parameters["c/kernel"]!,
            bias: bias
                ? model.parameters["c/bias"]! : Tensor(shape: [filters], scalars: Array(repeating: 0, count: filters)),
            stride: 1, padTop: 0, padLeft: 0, out: fast.outputShape
        ).map { max($0, 0) }
        for threads in [1, 2] {
            let out = model.outputs(x, threads: threads)[0].scalars
            #expect(maxAbsDifference(out, naive) < 1e-5 * max(naive.max()!, 1), "threads \(threads)")
        }
        // Input gradient: Winograd (explanations) against im2col (when parameter gradients are wanted).
        let ws = Workspace(model: model, capacity: 2)
        ws.setInput(x)
        model.forward(ws, batch: 2)
        var gradient = randomTensor([2] + fast.outputShape, seed: 24)
        for i in 0..<(fast.outputShape.elementCount / 2) { gradient.scalars[i] = 0 }
        ws.setGradient(of: 0, gradient)
        model.backward(ws, batch: 2, from: 0, threads: 2)
        let winograd = ws.gradient(of: -1, batch: 2, shape: shape).scalars
        var sink = [Float](repeating: 0, count: model.parameters.count)
        sink.withUnsafeMutableBufferPointer {
            model.backward(ws, batch: 2, from: 0, parameterGradients: $0.baseAddress!)
        }
        let reference = ws.gradient(of: -1, batch: 2, shape: shape).scalars
        #expect(maxAbsDifference(winograd, reference) < 1e-5 * max(reference.map(abs).max()!, 1))
        // Exact zeros where no output gradient reaches stay exact.
        #expect(zip(winograd, reference).allSatisfy { ($0 == 0) == ($1 == 0) })
    }

    @Test(arguments: [([28, 28, 1], 32, (3, 3)), ([7, 8, 3], 8, (3, 2)), ([6, 6, 2], 40, (2, 2))])
    func directMatchesDirectSum(shape: [Int], filters: Int, kernel: (Int, Int)) {
        let layer = Conv2D(name: "c", inputShape: shape, filters: filters, kernelSize: kernel, activation: .relu)
        #expect(layer.forwardKernel == .direct)
        for threads in [1, 2] {
            let (fast, naive) = compare(layer, batch: 2, threads: threads, seed: UInt64(filters + threads))
            #expect(maxAbsDifference(fast, naive) < 1e-5, "threads \(threads)")
        }
    }

    /// Stems and other shallow patches at any stride and padding: ResNet's 7×7 stride-2 stem
    /// padded by 3, EfficientNet's 3×3 stride-2 stem padded 0 before and 1 after (as
    /// TensorFlow pads), no bias, widths that leave tiles and channel blocks over.
    @Test(arguments: [
        ([23, 21, 3], 64, (7, 7), 2, Pads(top: 3, bottom: 3, left: 3, right: 3), true),
        ([16, 17, 3], 32, (3, 3), 2, Pads(top: 0, bottom: 1, left: 0, right: 1), false),
        ([9, 13, 2], 40, (5, 5), 1, Pads(top: 2, bottom: 2, left: 2, right: 2), true),
        ([12, 12, 16], 8, (3, 3), 3, Pads(top: 1, bottom: 0, left: 1, right: 0), true),
    ])
    func stridedPaddedDirectMatchesDirectSum(
        shape: [Int], filters: Int, kernel: (Int, Int), stride: Int, pads: Pads, bias: Bool
    ) {
        let layer = Conv2D(
            name: "c", inputShape: shape, filters: filters, kernelSize: kernel, strides: (stride, stride),
            pads: pads, useBias: bias)
        #expect(layer.forwardKernel == .direct)
        var model = Model(name: "t", inputShape: shape, layers: [layer], seed: 21)
        if bias { model.parameters.set("c/bias", randomTensor([filters], seed: 22)) }
        let x = randomTensor([2] + shape, seed: 23)
        let naive = naiveConv(
            x, kernel: model.parameters["c/kernel"]!,
            bias: bias
                ? model.parameters["c/bias"]! : Tensor(shape: [filters], scalars: Array(repeating: 0, count: filters)),
            stride: stride, padTop: pads.top, padLeft: pads.left, out: layer.outputShape)
        for threads in [1, 2] {
            let fast = model.outputs(x, threads: threads)[0].scalars
            #expect(maxAbsDifference(fast, naive) < 1e-5, "threads \(threads)")
        }
    }

    /// The input gradient alone (an explanation's) is gathered per input pixel in C; with
    /// parameter gradients (training) it goes through im2col's GEMM and col2im. The two agree:
    /// the stems above, a ReLU layer large enough to be split into bands of output rows, a
    /// stride that leaves input rows no output reaches.
    @Test(arguments: [
        ([23, 21, 3], 64, (7, 7), 2, Pads(top: 3, bottom: 3, left: 3, right: 3), Activation.linear),
        ([16, 17, 3], 32, (3, 3), 2, Pads(top: 0, bottom: 1, left: 0, right: 1), .relu),
        ([9, 13, 2], 40, (5, 5), 1, Pads(top: 2, bottom: 2, left: 2, right: 2), .linear),
        ([12, 12, 16], 8, (3, 3), 3, Pads(top: 1, bottom: 0, left: 1, right: 0), .relu),
        ([130, 100, 3], 16, (3, 3), 1, Pads(top: 1, bottom: 1, left: 1, right: 1), .relu),
    ])
    func gatheredDirectInputGradientMatchesCol2im(
        shape: [Int], filters: Int, kernel: (Int, Int), stride: Int, pads: Pads, activation: Activation
    ) {
        let layer = Conv2D(
            name: "c", inputShape: shape, filters: filters, kernelSize: kernel, strides: (stride, stride),
            pads: pads, activation: activation)
        #expect(layer.forwardKernel == .direct)
        var model = Model(name: "t", inputShape: shape, layers: [layer], seed: 31)
        model.parameters.set("c/bias", randomTensor([filters], seed: 32))
        let batch = 2
        let ws = Workspace(model: model, capacity: batch)
        ws.setInput(randomTensor([batch] + shape, seed: 33))
        model.forward(ws, batch: batch)
        ws.setGradient(of: 0, randomTensor([batch] + layer.outputShape, seed: 34))
        let parameterGradients = [Float](repeating: 0, count: model.parameters.values.count)
        let scattered = parameterGradients.withUnsafeBufferPointer { buffer in
            model.backward(
                ws, batch: batch, from: 0, to: -1,
                parameterGradients: UnsafeMutablePointer(mutating: buffer.baseAddress!))
            return ws.gradient(of: -1, batch: batch, shape: shape).scalars
        }
        #expect(scattered.contains { $0 != 0 })
        for threads in [1, 2] {
            model.backward(ws, batch: batch, from: 0, to: -1, threads: threads)
            let gathered = ws.gradient(of: -1, batch: batch, shape: shape).scalars
            #expect(maxAbsDifference(gathered, scattered) < 1e-5, "threads \(threads)")
            // Input cells no output reaches (stride 3 skips some) are exact zeros in both.
            #expect(zip(gathered, scattered).allSatisfy { ($0 == 0) == ($1 == 0) })
        }
    }

    /// The per-element products in AVX-512 registers (64-, 32- and 16-column blocks) and in
    /// AVX2 ones (16 and 8) run the same chain of fused multiply-adds: bit-identical outputs,
    /// over more than one block of tiles, for both Winograd variants.
    @Test(
        .enabled(if: ConvolutionKernel.avx512Available, "needs AVX-512"),
        arguments: [(WinogradVariant.f4x4, 24, 120), (.f2x2, 12, 56)])
    func avx512ProductsMatchAVX2BitForBit(variant: WinogradVariant, c: Int, k: Int) {
        let (h, w, pad) = (42, 38, 1)  // F(4×4, 3×3): 11 × 10 tiles, more than one block of 96
        let x = randomTensor([h, w, c], seed: 61).scalars, kernel = randomTensor([3, 3, c, k], seed: 62).scalars
        let bias = randomTensor([k], seed: 63).scalars
        var u = [Float](repeating: 0, count: variant.elements * c * k)
        kernel.withUnsafeBufferPointer { variant.transformKernel($0.baseAddress!, c, k, into: &u) }
        let tiles = variant.tiles(outputHeight: h, outputWidth: w)
        #expect(tiles > 96)
        func run(avx512: Bool) -> [Float] {
            var y = [Float](repeating: .nan, count: h * w * k)
            var scratch = [Float](repeating: 0, count: variant.scratch(c, k))
            variant.forward(
                x, h, w, c, pad: pad, u: u, bias: bias, k, relu: false, into: &y, tiles: 0..<tiles,
                scratch: &scratch, avx512: avx512)
            return y
        }
        let (wide, narrow) = (run(avx512: true), run(avx512: false))
        #expect(!narrow.contains { $0.isNaN })
        #expect(wide == narrow)
    }

    /// Where a backward pass through a max pooling follows, a Winograd layer runs the direct
    /// kernel in AVX-512 registers (64-, 32- and 16-channel blocks, edge pixels one at a time,
    /// padded or not): the same values as a direct sum, bit-identical to the AVX2 direct
    /// kernel (the same chain of multiply-adds), on one thread and two.
    @Test(
        .enabled(if: ConvolutionKernel.avx512Available, "needs AVX-512"),
        arguments: [([26, 26, 32], 64, Padding.valid, true), ([9, 13, 16], 48, .same, false)])
    func deepDirectBeforePoolingMatchesDirectSum(shape: [Int], filters: Int, padding: Padding, bias: Bool) {
        let layer = Conv2D(
            name: "c", inputShape: shape, filters: filters, kernelSize: (3, 3), padding: padding, activation: .relu,
            useBias: bias)
        #expect(layer.forwardKernel.winograd != nil && layer.deepDirectAvailable)
        let pooling = MaxPool2D(name: "p", inputShape: layer.outputShape, poolSize: (2, 2))
        var model = Model(name: "t", inputShape: shape, layers: [layer, pooling], seed: 71)
        if bias { model.parameters.set("c/bias", randomTensor([filters], seed: 72)) }
        let x = randomTensor([2] + shape, seed: 73)
        let pad = padding == .same ? 1 : 0
        let naive = naiveConv(
            x, kernel: model.parameters["c/kernel"]!,
            bias: bias ? model.parameters["c/bias"]! : Tensor(shape: [filters]),
            stride: 1, padTop: pad, padLeft: pad, out: layer.outputShape
        ).map { max($0, 0) }
        let (oh, ow) = (layer.outputShape[0], layer.outputShape[1])
        func direct(avx512: Bool) -> [Float] {
            var y = [Float](repeating: .nan, count: 2 * oh * ow * filters)
            let kernel = model.parameters["c/kernel"]!.scalars, b = model.parameters["c/bias"]?.scalars
            vz_conv_direct_forward(
                x.scalars, Int32(shape[0]), Int32(shape[1]), Int32(shape[2]), kernel, 3, 3, 1, 1, Int32(pad),
                Int32(pad), bias ? b : nil, Int32(filters), 1, &y, Int32(oh), Int32(ow), 0, 2 * oh, avx512 ? 1 : 0)
            return y
        }
        let wide = direct(avx512: true)
        #expect(wide == direct(avx512: false))
        #expect(maxAbsDifference(wide, naive) < 1e-5)
        for threads in [1, 2] {
            let ws = Workspace(model: model, capacity: 2)
            ws.setInput(x)
            model.forward(ws, batch: 2, threads: threads)  // a backward pass through the pooling may follow
            #expect(ws.output(of: 0, batch: 2, shape: layer.outputShape).scalars == wide, "threads \(threads)")
        }
    }

    /// One image of few output pixels through many filters (16 rows, 256 filters) splits the
    /// GEMM by filters instead of rows, so each thread reads its share of the weights: the
    /// same outputs as a direct sum, on one thread and two.
    @Test func fewRowsThroughManyFiltersSplitTheFilters() {
        let layer = Conv2D(name: "c", inputShape: [9, 9, 64], filters: 256, kernelSize: (3, 3), strides: (2, 2))
        #expect(layer.forwardKernel == .im2col && layer.outputShape == [4, 4, 256])
        var model = Model(name: "t", inputShape: layer.inputShape, layers: [layer], seed: 91)
        model.parameters.set("c/bias", randomTensor([256], seed: 92))
        let x = randomTensor([1, 9, 9, 64], seed: 93)
        let naive = naiveConv(
            x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
            stride: 2, padTop: 0, padLeft: 0, out: layer.outputShape)
        for threads in [1, 2] {
            let out = model.outputs(x, threads: threads)[0].scalars
            #expect(maxAbsDifference(out, naive) < 1e-4, "threads \(threads)")
        }
    }

    /// A call of few tiles through large transformed kernels skips Winograd (ResNet-50's
    /// 14×14×256 layers for one image run the direct kernel where the CPU has AVX-512, else
    /// im2col + GEMM; the 7×7×512 layers, whose weights per block of filters outgrow L2,
    /// im2col) and still computes the convolution.
    @Test func fewTilesThroughLargeKernelsSkipWinograd() {
        let large = Conv2D(
            name: "c", inputShape: [14, 14, 256], filters: 256, kernelSize: (3, 3), padding: .same, activation: .relu)
        #expect(large.forwardKernel == .winograd4x4)
        #expect(!large.winogradPays(batch: 1) && large.winogradPays(batch: 2))  // 16 tiles per image
        #expect(large.kernel(batch: 1, outputsOnly: true) == (ConvolutionKernel.avx512Available ? .direct : .im2col))
        #expect(large.kernel(batch: 2, outputsOnly: true) == .winograd4x4)
        #expect(large.kernel(batch: 2, outputsOnly: true, training: true) == .im2col)
        let small = Conv2D(name: "c", inputShape: [9, 7, 8], filters: 8, kernelSize: (3, 3))
        #expect(small.winogradPays(batch: 1))
        // ResNets' last stage: 37 MB of transformed kernels, 4 tiles per image.
        let last = Conv2D(name: "c", inputShape: [7, 7, 512], filters: 512, kernelSize: (3, 3), padding: .same)
        #expect(last.forwardKernel == .winograd4x4 && !last.winogradPays(batch: 7) && last.winogradPays(batch: 8))
        #expect(!last.deepDirectAvailable && last.kernel(batch: 1, outputsOnly: true) == .im2col)
        var model = Model(name: "t", inputShape: [14, 14, 256], layers: [large], seed: 41)
        model.parameters.set("c/bias", randomTensor([256], seed: 43))
        let x = randomTensor([1, 14, 14, 256], seed: 42)
        let naive = naiveConv(
            x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
            stride: 1, padTop: 1, padLeft: 1, out: large.outputShape
        ).map { max($0, 0) }
        for threads in [1, 2] {
            #expect(maxAbsDifference(model.outputs(x, threads: threads)[0].scalars, naive) < 1e-4)
        }
    }

    /// A pass that a backward pass follows runs Winograd only after the model's last max
    /// pooling (no tie left for its rounding to move), and not with `exactKernels`: a 3×3
    /// layer after a pooling gives the outputs-only pass's bits, one before it im2col's.
    @Test func backwardPassesRunWinogradOnlyAfterTheLastMaxPooling() {
        let conv = { (shape: [Int]) in
            Conv2D(name: "c", inputShape: shape, filters: 16, kernelSize: (3, 3), padding: .same, activation: .relu)
        }
        let after = conv([6, 6, 16])
        let pooledFirst = Model(
            name: "t", inputShape: [12, 12, 16],
            layers: [MaxPool2D(name: "p", inputShape: [12, 12, 16], poolSize: (2, 2)), after], seed: 51)
        let before = conv([12, 12, 16])
        let pooledLast = Model(
            name: "t", inputShape: [12, 12, 16],
            layers: [before, MaxPool2D(name: "p", inputShape: before.outputShape, poolSize: (2, 2))], seed: 51)
        let x = randomTensor([2, 12, 12, 16], seed: 52)
        func output(_ model: Model, outputsOnly: Bool = false, exactKernels: Bool = false) -> [Float] {
            let ws = Workspace(model: model, capacity: 2)
            ws.setInput(x)
            model.forward(ws, batch: 2, through: 0, outputsOnly: outputsOnly, exactKernels: exactKernels)
            return ws.output(of: 0, batch: 2, shape: model.layers[0].outputShape).scalars
        }
        func secondOutput(_ model: Model, outputsOnly: Bool = false, exactKernels: Bool = false) -> [Float] {
            let ws = Workspace(model: model, capacity: 2)
            ws.setInput(x)
            model.forward(ws, batch: 2, outputsOnly: outputsOnly, exactKernels: exactKernels)
            return ws.output(of: 1, batch: 2, shape: model.layers[1].outputShape).scalars
        }
        let winograd = secondOutput(pooledFirst, outputsOnly: true),
            exact = secondOutput(pooledFirst, exactKernels: true)
        #expect(winograd != exact, "Winograd and im2col differ in the last bits")
        #expect(secondOutput(pooledFirst) == winograd)
        #expect(output(pooledLast) == output(pooledLast, exactKernels: true))
        #expect(output(pooledLast) != output(pooledLast, outputsOnly: true))
    }

    @Test func unsuitableLayersKeepIm2col() {
        // Patches deeper than 160 values.
        #expect(
            Conv2D(name: "c", inputShape: [9, 9, 32], filters: 8, kernelSize: (3, 3), strides: (2, 2)).forwardKernel
                == .im2col)
        #expect(
            Conv2D(name: "c", inputShape: [9, 9, 32], filters: 8, kernelSize: (3, 3), strides: (2, 2), padding: .same)
                .forwardKernel == .im2col)
        #expect(
            Conv2D(
                name: "c", inputShape: [9, 9, 32], filters: 8, kernelSize: (3, 3),
                pads: Pads(top: 1, bottom: 0, left: 1, right: 0)
            ).forwardKernel == .im2col)
        #expect(
            Conv2D(name: "c", inputShape: [9, 9, 16], filters: 8, kernelSize: (5, 5), padding: .same).forwardKernel
                == .im2col)
        // Output channels that are not a multiple of 8, 1×1 kernels, dilations and groups.
        #expect(Conv2D(name: "c", inputShape: [9, 9, 16], filters: 6, kernelSize: (3, 3)).forwardKernel == .im2col)
        #expect(Conv2D(name: "c", inputShape: [9, 9, 16], filters: 8, kernelSize: (5, 5)).forwardKernel == .im2col)
        #expect(
            Conv2D(name: "c", inputShape: [9, 9, 16], filters: 8, kernelSize: (1, 1), strides: (2, 2)).forwardKernel
                == .im2col)
        #expect(
            Conv2D(name: "c", inputShape: [9, 9, 3], filters: 8, kernelSize: (3, 3), dilations: (2, 2)).forwardKernel
                == .im2col)
        #expect(
            Conv2D(name: "c", inputShape: [9, 9, 4], filters: 8, kernelSize: (3, 3), groups: 2).forwardKernel
                == .im2col)
    }

    /// Training changes kernels in place: the cached Winograd transform must follow.
    @Test func winogradFollowsKernelsChangedInPlace() {
        let layer = Conv2D(name: "c", inputShape: [6, 6, 8], filters: 8, kernelSize: (3, 3))
        var model = Model(name: "t", inputShape: layer.inputShape, layers: [layer], seed: 9)
        let x = randomTensor([1, 6, 6, 8], seed: 10)
        let before = model.outputs(x, threads: 1)[0].scalars
        model.parameters.values[17] += 0.5
        let after = model.outputs(x, threads: 1)[0].scalars
        let naive = naiveConv(
            x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
            stride: 1, padTop: 0, padLeft: 0, out: layer.outputShape)
        #expect(maxAbsDifference(after, naive) < 1e-5)
        #expect(maxAbsDifference(before, after) > 0.01)
    }

    /// The input gradient through Winograd (explanations: no parameter gradients wanted)
    /// against im2col's (taken when parameter gradients are wanted), plain, guided and deconvnet, with
    /// the same exact zeros where no output gradient reaches. Images go through in groups of
    /// about 192 tiles: 42×38 inputs (110 tiles each) in groups of two, so three images
    /// take two calls.
    @Test(arguments: [([9, 7, 8], 16), ([26, 26, 32], 64), ([6, 8, 16], 24), ([42, 38, 8], 8)])
    func winogradInputGradientMatchesIm2col(shape: [Int], filters: Int) {
        let layer = Conv2D(name: "c", inputShape: shape, filters: filters, kernelSize: (3, 3), activation: .relu)
        #expect(layer.forwardKernel == .winograd4x4)
        #expect(layer.winogradBackwardGroup(batch: 3) == (shape[0] == 42 ? 2 : 3))
        var model = Model(name: "t", inputShape: shape, layers: [layer], seed: 11)
        model.parameters.set("c/bias", randomTensor([filters], seed: 12))
        let ws = Workspace(model: model, capacity: 3)
        ws.setInput(randomTensor([3] + shape, seed: 13))
        let parameterGradients = [Float](repeating: 0, count: model.parameters.values.count)
        for threads in [1, 2] {
            for rule in [ReLUBackwardRule.gradient, .guided, .deconvnet] {
                model.forward(ws, batch: 3, threads: threads)
                // Zero in the top half of each map: the input gradient there is exactly 0.
                var gradient = randomTensor([3] + layer.outputShape, seed: 14)
                let half = layer.outputShape[0] / 2 * layer.outputShape[1] * filters
                for b in 0..<3 { for i in 0..<half { gradient.scalars[b * layer.outputShape.elementCount + i] = 0 } }
                ws.setGradient(of: 0, gradient)
                model.backward(ws, batch: 3, from: 0, threads: threads, rule: rule)
                let winograd = ws.gradient(of: -1, batch: 3, shape: shape).scalars
                var scratch = parameterGradients
                scratch.withUnsafeMutableBufferPointer {
                    model.backward(
                        ws, batch: 3, from: 0, threads: threads, parameterGradients: $0.baseAddress!, rule: rule)
                }
                let im2col = ws.gradient(of: -1, batch: 3, shape: shape).scalars
                let scale = im2col.map(abs).max() ?? 1
                #expect(
                    maxAbsDifference(winograd, im2col) < 1e-5 * max(scale, 1), "threads \(threads), rule \(rule)")
                #expect(im2col.contains { $0 != 0 })
                #expect(zip(winograd, im2col).allSatisfy { ($0 == 0) == ($1 == 0) }, "the same exact zeros")
            }
        }
    }

    /// A whole model shaped like the reference one (direct conv, Winograd conv, pooling,
    /// dense): d logit / d input with the fast kernels (no parameter gradients wanted)
    /// against im2col's, each from its own workspace and forward pass, for one image on two
    /// threads (how saliency runs) and for a batch.
    @Test(arguments: [(1, 2), (3, 1)])
    func modelInputGradientMatchesIm2col(batch: Int, threads: Int) {
        let model = tinyModel(seed: 21, filters: (32, 64), hidden: 16)
        let input = randomTensor([batch, 28, 28, 1], seed: 22, low: 0, high: 1)
        let last = model.layers.count - 1
        var seed = Tensor(shape: [batch, model.classCount])
        for b in 0..<batch { seed.scalars[b * model.classCount + (3 + b) % model.classCount] = 1 }
        func inputGradient(withParameterGradients: Bool) -> [Float] {
            let ws = Workspace(model: model, capacity: batch)
            ws.setInput(input)
            model.forward(ws, batch: batch, threads: threads)
            ws.setGradient(of: last, seed)
            var parameterGradients = [Float](repeating: 0, count: model.parameters.values.count)
            parameterGradients.withUnsafeMutableBufferPointer { buffer in
                model.backward(
                    ws, batch: batch, from: last, threads: threads,
                    parameterGradients: withParameterGradients ? buffer.baseAddress! : nil)
            }
            return ws.gradient(of: -1, batch: batch, shape: model.inputShape).scalars
        }
        let fast = inputGradient(withParameterGradients: false), im2col = inputGradient(withParameterGradients: true)
        let scale = im2col.map(abs).max() ?? 1
        #expect(scale > 0)
        #expect(maxAbsDifference(fast, im2col) < 1e-4 * scale)
    }

    /// Before a backward pass, equal receptive fields (a blank background) must give
    /// bit-equal convolution outputs, so that max pooling routes gradients to the first of
    /// equal maxima as PyTorch does; Winograd's rounding depends on the position within a
    /// tile, so only passes with `outputsOnly` may use it.
    @Test(arguments: [false, true])
    func blankBackgroundGivesEqualOutputs(outputsOnly: Bool) {
        let model = tinyModel(seed: 31, filters: (32, 64), hidden: 16)
        var input = Tensor(shape: [1, 28, 28, 1])
        var random = SeededRandom(seed: 32)
        for y in 10..<18 { for x in 10..<18 { input.scalars[y * 28 + x] = random.nextUnit() } }
        let ws = Workspace(model: model, capacity: 1)
        ws.setInput(input)
        model.forward(ws, batch: 1, threads: 2, outputsOnly: outputsOnly)
        let out = ws.output(of: 1, batch: 1, shape: model.layers[1].outputShape).scalars
        // conv2d_2's output (y, x) sees input rows y...y+4 and columns x...x+4; (0, 0) is blank.
        var unequal = 0, blank = 0, spread: Float = 0
        for y in 0..<24 {
            for x in 0..<24 where y + 4 < 10 || y > 17 || x + 4 < 10 || x > 17 {
                blank += 1
                var differs = false
                for f in 0..<64 {
                    let d = abs(out[(y * 24 + x) * 64 + f] - out[f])
                    spread = max(spread, d)
                    if d != 0 { differs = true }
                }
                if differs { unequal += 1 }
            }
        }
        #expect(blank == 24 * 24 - 12 * 12)
        if outputsOnly {
            // Winograd: equal fields may differ in the last bits; the values stay close.
            #expect(spread < 1e-5)
        } else {
            #expect(unequal == 0, "\(unequal) of \(blank) blank positions differ")
        }
    }
}
