import CNN
import Testing
import TestSupport

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
        var naive = naiveConv(x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
                              stride: 1, padTop: 0, padLeft: 0, out: layer.outputShape)
        if layer.activation == .relu { naive = naive.map { max($0, 0) } }
        return (model.outputs(x, threads: threads)[0].scalars, naive)
    }

    @Test(arguments: [
        ([26, 26, 32], 64, Activation.relu, ConvolutionKernel.winograd4x4),  // the reference model's conv2d_2
        ([9, 7, 8], 8, .linear, .winograd4x4),   // outputs 7×5: tiles hang past both edges
        ([11, 10, 16], 24, .relu, .winograd4x4), // outputs 9×8; one 16-wide and one 8-wide block
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

    @Test(arguments: [([28, 28, 1], 32, (3, 3)), ([7, 8, 3], 8, (3, 2)), ([6, 6, 2], 40, (2, 2))])
    func directMatchesDirectSum(shape: [Int], filters: Int, kernel: (Int, Int)) {
        let layer = Conv2D(name: "c", inputShape: shape, filters: filters, kernelSize: kernel, activation: .relu)
        #expect(layer.forwardKernel == .direct)
        for threads in [1, 2] {
            let (fast, naive) = compare(layer, batch: 2, threads: threads, seed: UInt64(filters + threads))
            #expect(maxAbsDifference(fast, naive) < 1e-5, "threads \(threads)")
        }
    }

    @Test func unsuitableLayersKeepIm2col() {
        #expect(Conv2D(name: "c", inputShape: [9, 9, 16], filters: 8, kernelSize: (3, 3), strides: (2, 2)).forwardKernel == .im2col)
        #expect(Conv2D(name: "c", inputShape: [9, 9, 16], filters: 8, kernelSize: (3, 3), padding: .same).forwardKernel == .im2col)
        #expect(Conv2D(name: "c", inputShape: [9, 9, 16], filters: 6, kernelSize: (3, 3)).forwardKernel == .im2col)
        #expect(Conv2D(name: "c", inputShape: [9, 9, 16], filters: 8, kernelSize: (5, 5)).forwardKernel == .im2col)
    }

    /// Training changes kernels in place: the cached Winograd transform must follow.
    @Test func winogradFollowsKernelsChangedInPlace() {
        let layer = Conv2D(name: "c", inputShape: [6, 6, 8], filters: 8, kernelSize: (3, 3))
        var model = Model(name: "t", inputShape: layer.inputShape, layers: [layer], seed: 9)
        let x = randomTensor([1, 6, 6, 8], seed: 10)
        let before = model.outputs(x, threads: 1)[0].scalars
        model.parameters.values[17] += 0.5
        let after = model.outputs(x, threads: 1)[0].scalars
        let naive = naiveConv(x, kernel: model.parameters["c/kernel"]!, bias: model.parameters["c/bias"]!,
                              stride: 1, padTop: 0, padLeft: 0, out: layer.outputShape)
        #expect(maxAbsDifference(after, naive) < 1e-5)
        #expect(maxAbsDifference(before, after) > 0.01)
    }

    /// The input gradient through Winograd (explanations: no parameter gradients wanted)
    /// against im2col's (taken when parameter gradients are wanted), plain and guided.
    @Test(arguments: [([9, 7, 8], 16), ([26, 26, 32], 64), ([6, 8, 16], 24)])
    func winogradInputGradientMatchesIm2col(shape: [Int], filters: Int) {
        let layer = Conv2D(name: "c", inputShape: shape, filters: filters, kernelSize: (3, 3), activation: .relu)
        #expect(layer.forwardKernel == .winograd4x4)
        var model = Model(name: "t", inputShape: shape, layers: [layer], seed: 11)
        model.parameters.set("c/bias", randomTensor([filters], seed: 12))
        let ws = Workspace(model: model, capacity: 3)
        ws.setInput(randomTensor([3] + shape, seed: 13))
        let parameterGradients = [Float](repeating: 0, count: model.parameters.values.count)
        for threads in [1, 2] {
            for guided in [false, true] {
                model.forward(ws, batch: 3, threads: threads)
                ws.setGradient(of: 0, randomTensor([3] + layer.outputShape, seed: 14))
                model.backward(ws, batch: 3, from: 0, threads: threads, guided: guided)
                let winograd = ws.gradient(of: -1, batch: 3, shape: shape).scalars
                var scratch = parameterGradients
                scratch.withUnsafeMutableBufferPointer {
                    model.backward(ws, batch: 3, from: 0, threads: threads, parameterGradients: $0.baseAddress!, guided: guided)
                }
                let im2col = ws.gradient(of: -1, batch: 3, shape: shape).scalars
                let scale = im2col.map(abs).max() ?? 1
                #expect(maxAbsDifference(winograd, im2col) < 1e-5 * max(scale, 1), "threads \(threads), guided \(guided)")
                #expect(im2col.contains { $0 != 0 })
            }
        }
    }
}
