import CKernels

/// The input gradient alone, as explanations take it, for the layers whose forward pass runs
/// in C on direct loops (depthwise and shallow-patch convolutions): each input pixel gathers
/// what the output pixels its taps reach send back (CKernels/depthwise.c, direct_backward.c),
/// the input rows split across the threads, each pixel written once. The scatter through
/// Swift loops or through im2col ran 5–10× their forward pass (MobileNetV3-Large: 7.3 ms of
/// depthwise input gradients, 1 ms for its stem, per image).
extension Conv2D {
    /// Whether `backwardInputGathered` computes this backward call: the input's gradient alone
    /// (no parameter gradients), a layer the C kernels take, AVX2 and FMA.
    func gathersInputGradient(_ gradients: LayerGradients) -> Bool {
        guard gradients.parameters == nil, gradients.input != nil, ConvolutionKernel.fastKernelsAvailable,
            max(kernelSize.height, kernelSize.width) <= Int(VZ_GATHER_MAX_TAPS)
        else { return false }
        switch forwardKernel {
        case .depthwise: return depthMultiplier == 1
        case .direct: return true  // undilated, ungrouped, filters a multiple of 8 (see `choose`)
        case .im2col, .winograd2x2, .winograd4x4: return false
        }
    }

    /// The input gradient, band by band of output rows: a linear layer's output gradient is
    /// its pre-activation gradient, so its whole batch is one band; otherwise each band's
    /// pre-activation gradient is computed into the scratch first (as `backward` does), and
    /// input rows at a band's edge add what each band sends.
    func backwardInputGathered(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let (oh, ow) = (outputShape[0], outputShape[1]), f = filters
        let total = io.batch * oh
        dx.update(repeating: 0, count: io.batch * inputShape.elementCount)
        let chunkPixels = min(chunkRows, io.batch * pixelsPerSample)
        let band = activation == .linear ? total : min(max(chunkPixels / ow, 1), total)
        let dPre = io.scratch + 2 * chunkPixels * patchSize
        var start = 0
        while start < total {
            let rows = start..<min(start + band, total)
            var source = gradients.output + rows.lowerBound * ow * f
            if activation != .linear {
                let pixels = rows.lowerBound * ow..<rows.upperBound * ow
                activation.backward(
                    output: io.output + pixels.lowerBound * f, outputGradient: source, into: dPre,
                    count: pixels.count * f, rule: gradients.rule,
                    preActivation: activation.needsPreActivation ? preActivations(io) + pixels.lowerBound * f : nil)
                source = dPre
            }
            gather(io, from: source, rows: rows, into: dx)
            start = rows.upperBound
        }
    }

    /// Adds to `dx` what the output-gradient rows `rows` (at `source`) send back, the input
    /// rows they reach split across the threads.
    private func gather(
        _ io: LayerIO, from source: UnsafeMutablePointer<Float>, rows: Range<Int>, into dx: UnsafeMutablePointer<Float>
    ) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = (outputShape[0], outputShape[1])
        // Input rows from the first output row's window top to the last one's bottom.
        let first = rows.lowerBound, last = rows.upperBound - 1
        let low = (first / oh) * h + max(0, (first % oh) * strides.height - padTop)
        let reach = (last % oh) * strides.height - padTop + (kernelSize.height - 1) * dilations.height
        let high = (last / oh) * h + min(h - 1, reach) + 1
        guard low < high else { return }
        let parts = splitRange(high - low, parts: min(io.threads, Parallelism.workers, high - low))
        let dy = SharedPointer(source), dx = SharedPointer(dx), kernel = SharedPointer(io.parameters)
        let (kh, kw, sh, sw) = (
            Int32(kernelSize.height), Int32(kernelSize.width), Int32(strides.height), Int32(strides.width)
        )
        let (pt, pl, dh, dw) = (Int32(padTop), Int32(padLeft), Int32(dilations.height), Int32(dilations.width))
        let (band, k, depthwise) = ((rows.lowerBound, rows.upperBound), Int32(filters), forwardKernel == .depthwise)
        Parallelism.run(parts.count) { p in
            let (begin, end) = (low + parts[p].lowerBound, low + parts[p].upperBound)
            if depthwise {
                vz_depthwise_backward_input(
                    dy.base, band.0, band.1, Int32(oh), Int32(ow), Int32(c), kernel.base, kh, kw, sh, sw, pt, pl, dh,
                    dw,
                    Int32(h), Int32(w), dx.base, begin, end)
            } else {
                vz_conv_direct_backward_input(
                    dy.base, band.0, band.1, Int32(oh), Int32(ow), k, kernel.base, kh, kw, Int32(c), sh, sw, pt, pl,
                    Int32(h), Int32(w), dx.base, begin, end)
            }
        }
    }
}
