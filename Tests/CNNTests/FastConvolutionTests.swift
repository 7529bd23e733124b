import CNN
import Testing
import TestSupport

/// The hand-written forward kernels (Winograd F(2×2, 3×3) and direct convolution) against
/// the convolution computed loop by loop, on shapes that exercise their edges: odd output
/// sizes (tiles past the edge), channel counts that are not multiples of 8, output
/// channels in blocks of 8 and 16, several images, one and two threads.
@Suite(.enabled(if: ConvolutionKernel.fastKernelsAvailable, "needs AVX2 and FMA"))
struct FastConvolutionTests {
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
        ([26, 26, 32], 64, Activation.relu),   // the reference model's conv2d_2
        ([9, 7, 8], 8, .linear),                // odd outputs 7×5: tiles hang past both edges
        ([6, 8, 12], 24, .relu),                // 24 outputs: one 16-wide and one 8-wide block
        ([5, 5, 9], 16, .linear),               // a channel past the 8-wide vectors
    ])
    func winogradMatchesDirectSum(shape: [Int], filters: Int, activation: Activation) {
        let layer = Conv2D(name: "c", inputShape: shape, filters: filters, kernelSize: (3, 3), activation: activation)
        #expect(layer.forwardKernel == .winograd)
        for threads in [1, 2] {
            let (fast, naive) = compare(layer, batch: 3, threads: threads, seed: UInt64(shape[2] + threads))
            #expect(maxAbsDifference(fast, naive) < 2e-5, "threads \(threads)")
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
}
