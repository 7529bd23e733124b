import CKernels

/// Depthwise convolutions (one input channel per group, each read by `multiplier` filters:
/// the heart of every mobile network) by direct loops over NHWC, the innermost along the
/// channels, which are contiguous in the input, the kernel and the output alike. As im2col
/// + GEMM they were one GEMM of a single column per channel: MobileNetV2 ran 15× slower
/// than ONNX Runtime.
extension Conv2D {
    /// Filters per input channel.
    var depthMultiplier: Int { groupFilters }

    /// Output columns `ox` whose tap `kx` falls inside the input.
    @inline(__always)
    private func columns(tap kx: Int) -> Range<Int> {
        let (w, ow, sw) = (inputShape[1], outputShape[1], strides.width)
        let offset = kx * dilations.width - padLeft
        // ox · sw + offset ≥ 0 and ≤ w − 1.
        let low = offset >= 0 ? 0 : (-offset + sw - 1) / sw
        let high = w - 1 - offset < 0 ? 0 : min(ow, (w - 1 - offset) / sw + 1)
        return low..<max(low, high)
    }

    func forwardDepthwise(_ io: LayerIO) {
        let rows = io.batch * outputShape[0]
        let parts = splitRange(rows, parts: min(io.threads, Parallelism.workers, rows))
        let io = UncheckedIO(io)
        Parallelism.run(parts.count) { p in depthwiseRows(io.value, parts[p]) }
    }

    /// Output rows `rows` (of every sample: `b · oh + oy`), the activation applied.
    private func depthwiseRows(_ io: LayerIO, _ rows: Range<Int>) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = (outputShape[0], outputShape[1])
        let f = filters, m = depthMultiplier, taps = kernelSize.width
        let kernel = io.parameters, bias = io.parameters + kernelSize.height * taps * f
        if m == 1 && ConvolutionKernel.fastKernelsAvailable {
            // AVX2 and FMA, the taps summed in registers (CKernels/depthwise.c).
            vz_depthwise_forward(
                io.input, Int32(h), Int32(w), Int32(c), kernel, Int32(kernelSize.height), Int32(taps),
                Int32(strides.height), Int32(strides.width), Int32(padTop), Int32(padLeft), Int32(dilations.height),
                Int32(dilations.width), useBias ? bias : nil, Int32(oh), Int32(ow), io.output, rows.lowerBound,
                rows.upperBound)
            for r in rows { finish(io, row: r, io.output + r * ow * f) }
            return
        }
        for r in rows {
            let b = r / oh, oy = r % oh
            let y = io.output + r * ow * f
            for ox in 0..<ow {
                let out = y + ox * f
                if useBias { for k in 0..<f { out[k] = bias[k] } } else { for k in 0..<f { out[k] = 0 } }
            }
            for ky in 0..<kernelSize.height {
                let iy = oy * strides.height - padTop + ky * dilations.height
                guard iy >= 0 && iy < h else { continue }
                let inputRow = io.input + (b * h + iy) * w * c
                for kx in 0..<taps {
                    let tap = kernel + (ky * taps + kx) * f, offset = kx * dilations.width - padLeft
                    for ox in columns(tap: kx) {
                        let x = inputRow + (ox * strides.width + offset) * c, out = y + ox * f
                        // Without AVX2 a multiplier of 1 runs here too: the loop the tests check with 2.
                        for k in 0..<c { for j in 0..<m { out[k * m + j] += x[k] * tap[k * m + j] } }
                    }
                }
            }
            finish(io, row: r, y)
        }
    }

    /// Keeps output row `r`'s pre-activations when the backward pass needs them, then
    /// applies the activation.
    @inline(__always)
    private func finish(_ io: LayerIO, row r: Int, _ y: UnsafeMutablePointer<Float>) {
        let count = outputShape[1] * filters
        if activation.needsPreActivation { copyFloats(preActivations(io) + r * count, from: y, count: count) }
        activation.apply(y, count: count)
    }

    /// The gradients through the activation, then of the kernel, the bias and the input, a
    /// chunk of output rows at a time; threads split the channels, so none writes where
    /// another does.
    func backwardDepthwise(_ io: LayerIO, _ gradients: LayerGradients) {
        let (oh, ow) = (outputShape[0], outputShape[1]), f = filters
        let total = io.batch * oh
        // The scratch holds `chunk` output pixels' gradients after two im2col buffers.
        let chunkPixels = min(chunkRows, io.batch * pixelsPerSample)
        let chunk = min(max(chunkPixels / ow, 1), total)
        let dPre = io.scratch + 2 * chunkPixels * patchSize
        if let dx = gradients.input { dx.update(repeating: 0, count: io.batch * inputShape.elementCount) }
        let parts = splitRange(inputShape[2], parts: min(io.threads, Parallelism.workers, inputShape[2]))
        var start = 0
        while start < total {
            let rows = start..<min(start + chunk, total)
            let pixels = rows.lowerBound * ow..<rows.upperBound * ow
            activation.backward(
                output: io.output + pixels.lowerBound * f, outputGradient: gradients.output + pixels.lowerBound * f,
                into: dPre, count: pixels.count * f, rule: gradients.rule,
                preActivation: activation.needsPreActivation ? preActivations(io) + pixels.lowerBound * f : nil)
            let shared = DepthwiseGradients(io: io, gradients: gradients, dPre: dPre)
            Parallelism.run(parts.count) { p in depthwiseGradients(shared, rows: rows, channels: parts[p]) }
            start = rows.upperBound
        }
    }

    /// Adds the kernel's, bias's and input's gradients from output rows `rows` (whose
    /// pre-activation gradients `dPre` holds from its start) for input channels `channels`.
    private func depthwiseGradients(_ g: DepthwiseGradients, rows: Range<Int>, channels: Range<Int>) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = (outputShape[0], outputShape[1])
        let f = filters, m = depthMultiplier, taps = kernelSize.width
        let kernel = g.io.parameters, filtersRange = channels.lowerBound * m..<channels.upperBound * m
        let dKernel = g.parameters, dBias = g.parameters.map { $0 + kernelSize.height * taps * f }
        for r in rows {
            let b = r / oh, oy = r % oh
            let dy = g.dPre + (r - rows.lowerBound) * ow * f
            if let dBias, useBias {
                for ox in 0..<ow { for k in filtersRange { dBias[k] += dy[ox * f + k] } }
            }
            for ky in 0..<kernelSize.height {
                let iy = oy * strides.height - padTop + ky * dilations.height
                guard iy >= 0 && iy < h else { continue }
                let rowOffset = (b * h + iy) * w * c
                for kx in 0..<taps {
                    let tapOffset = (ky * taps + kx) * f, offset = kx * dilations.width - padLeft
                    for ox in columns(tap: kx) {
                        let at = rowOffset + (ox * strides.width + offset) * c, d = dy + ox * f
                        if let dKernel {
                            let x = g.io.input + at, dk = dKernel + tapOffset
                            if m == 1 {
                                for k in channels { dk[k] += x[k] * d[k] }
                            } else {
                                for k in channels { for j in 0..<m { dk[k * m + j] += x[k] * d[k * m + j] } }
                            }
                        }
                        if let dx = g.input {
                            let tap = kernel + tapOffset, dxi = dx + at
                            if m == 1 {
                                for k in channels { dxi[k] += d[k] * tap[k] }
                            } else {
                                for k in channels {
                                    var sum: Float = 0
                                    for j in 0..<m { sum += d[k * m + j] * tap[k * m + j] }
                                    dxi[k] += sum
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The buffers one backward chunk shares among threads, each writing its own channels.
private struct DepthwiseGradients: @unchecked Sendable {  // raw buffers; threads write disjoint channels
    let io: LayerIO
    let dPre: UnsafeMutablePointer<Float>
    let parameters: UnsafeMutablePointer<Float>?
    let input: UnsafeMutablePointer<Float>?

    init(io: LayerIO, gradients: LayerGradients, dPre: UnsafeMutablePointer<Float>) {
        self.io = io
        self.dPre = dPre
        parameters = gradients.parameters
        input = gradients.input
    }
}
