/// A 2-D convolution over NHWC input with an HWIO kernel `[kh, kw, in / groups, out]`
/// and a bias, followed by its activation. Strides, dilation, explicit padding and
/// groups follow ONNX's `Conv` (depthwise: as many groups as input channels).
///
/// It runs as im2col + GEMM: each output pixel's receptive field becomes one row of a
/// matrix whose columns are ordered (ky, kx, c), the same order as the kernel's rows
/// when HWIO is read as a `[kh·kw·in, out]` matrix, so no reshuffling is needed and the
/// GEMM writes the NHWC output directly. Rows are processed in chunks that fit in cache;
/// with groups, each group is one GEMM over its channels.
public struct Conv2D: Layer {
    public let name: String
    public let inputShape: [Int]
    public let filters: Int
    public let kernelSize: (height: Int, width: Int)
    public let strides: (height: Int, width: Int)
    public let dilations: (height: Int, width: Int)
    public let pads: Pads
    public let groups: Int
    /// Whether the layer adds a bias (ResNets' convolutions before BatchNorm have none).
    public let useBias: Bool
    public let activation: Activation
    public let outputShape: [Int]
    /// The fast kernel this layer's shape allows. Training uses im2col + GEMM throughout;
    /// a Winograd layer runs Winograd only in passes marked `outputsOnly`, and for the input
    /// gradient when no parameter gradients are wanted (see Conv2D+FastKernels.swift).
    public let forwardKernel: ConvolutionKernel
    /// The class name summaries show (`DepthwiseConv2D` for Keras's depthwise layers).
    public let kind: String

    var padTop: Int { pads.top }
    var padLeft: Int { pads.left }

    /// A convolution padded as Keras's `padding` says.
    public init(
        name: String, inputShape: [Int], filters: Int, kernelSize: (Int, Int),
        strides: (Int, Int) = (1, 1), padding: Padding = .valid, dilations: (Int, Int) = (1, 1), groups: Int = 1,
        activation: Activation = .linear, useBias: Bool = true, kind: String = "Conv2D"
    ) {
        self.init(
            name: name, inputShape: inputShape, filters: filters, kernelSize: kernelSize, strides: strides,
            pads: Pads(padding, input: inputShape, window: kernelSize, strides: strides, dilations: dilations),
            dilations: dilations, groups: groups, activation: activation, useBias: useBias, kind: kind)
    }

    /// A convolution with explicit padding. `inputShape[2]` and `filters` must be
    /// multiples of `groups`.
    public init(
        name: String, inputShape: [Int], filters: Int, kernelSize: (Int, Int), strides: (Int, Int) = (1, 1),
        pads: Pads, dilations: (Int, Int) = (1, 1), groups: Int = 1, activation: Activation = .linear,
        useBias: Bool = true, kind: String = "Conv2D"
    ) {
        precondition(inputShape.count == 3, "Conv2D needs an [h, w, c] input")
        precondition(groups > 0 && inputShape[2] % groups == 0 && filters % groups == 0, "channels not divisible")
        self.name = name
        self.inputShape = inputShape
        self.filters = filters
        self.kernelSize = (kernelSize.0, kernelSize.1)
        self.strides = (strides.0, strides.1)
        self.dilations = (dilations.0, dilations.1)
        self.pads = pads
        self.groups = groups
        self.useBias = useBias
        self.activation = activation
        self.kind = kind
        let size = pads.outputSize(input: inputShape, window: kernelSize, strides: strides, dilations: dilations)
        outputShape = [size.height, size.width, filters]
        let plain = dilations == (1, 1) && groups == 1
        let depthwise = groups > 1 && inputShape[2] == groups
        forwardKernel =
            depthwise && ConvolutionKernel.fastPathsAllowed
            ? .depthwise
            : plain && (activation == .linear || activation == .relu)
                ? ConvolutionKernel.choose(
                    inputShape: inputShape, outputShape: outputShape, kernelSize: self.kernelSize,
                    strides: self.strides, pads: pads, bias: useBias)
                : .im2col
    }

    /// Channels per group, in and out.
    var groupInputs: Int { inputShape[2] / groups }
    var groupFilters: Int { filters / groups }
    /// Whether every tap of every window is in bounds and the taps of one kernel row are
    /// contiguous in the input: im2col copies whole spans.
    private var spansAreContiguous: Bool { pads.isZero && dilations.width == 1 && groups == 1 }
    /// A 1×1, stride-1 convolution without groups: its im2col matrix is its input, rows of
    /// channels, so the GEMMs read and write the layer's own buffers with no copy between
    /// (MobileNets' expansions and projections, half of their time).
    private var isPointwise: Bool {
        kernelSize == (1, 1) && strides == (1, 1) && pads.isZero && groups == 1
    }

    /// Columns of the im2col matrix: the kernel's receptive field size (in one group).
    var patchSize: Int { kernelSize.height * kernelSize.width * groupInputs }
    var pixelsPerSample: Int { outputShape[0] * outputShape[1] }

    public var parameterShapes: [ParameterShape] {
        [
            ParameterShape(
                key: "kernel", shape: [kernelSize.height, kernelSize.width, groupInputs, filters],
                initializer: .glorotUniform)
        ] + (useBias ? [ParameterShape(key: "bias", shape: [filters], initializer: .zeros)] : [])
    }

    public var multiplyAccumulates: Int { pixelsPerSample * patchSize * filters }

    /// Output pixels per chunk: about 1 MB of im2col matrix, at least one output row.
    var chunkRows: Int { max(outputShape[1], (1 << 18) / max(patchSize, 1)) }

    public func scratchCount(batch: Int) -> Int {
        let rows = min(chunkRows, batch * pixelsPerSample)
        return max(rows * (2 * patchSize + filters), fastScratchCount(batch: batch)) + preActivationCount(batch: batch)
    }

    /// Floats that keep the pre-activation outputs for the backward pass, after the
    /// working scratch, for activations whose derivative needs them (`silu`, `gelu`, …).
    private func preActivationCount(batch: Int) -> Int {
        activation.needsPreActivation ? batch * outputShape.elementCount : 0
    }

    /// Where the pre-activation outputs of a batch start in the scratch.
    func preActivations(_ io: LayerIO) -> UnsafeMutablePointer<Float> {
        io.scratch + scratchCount(batch: io.batch) - preActivationCount(batch: io.batch)
    }

    /// The kernel a forward pass of `batch` images runs: training (`training`) stays on im2col
    /// + GEMM, because the one-epoch accuracy of the reference recipe depends on float rounding
    /// (98.51 % with im2col, 98.48 % with Winograd for the spec's seed) and trained weights stay
    /// as they were; Winograd also needs `outputsOnly` (see there), and where a backward pass
    /// through a max pooling follows, a Winograd layer runs the direct kernel in AVX-512
    /// registers (`deepDirectAvailable`), whose every output sums its taps in the same order.
    public func kernel(batch: Int, outputsOnly: Bool, training: Bool = false) -> ConvolutionKernel {
        if training { return .im2col }
        guard forwardKernel.winograd != nil else { return forwardKernel }
        if !outputsOnly { return deepDirectAvailable ? .direct : .im2col }
        return winogradPays(batch: batch) ? forwardKernel : deepDirectAvailable ? .direct : .im2col
    }

    public func forward(_ io: LayerIO) {
        switch kernel(batch: io.batch, outputsOnly: io.outputsOnly, training: io.dropout != nil) {
        case .winograd2x2: forwardWinograd(io, .f2x2)
        case .winograd4x4: forwardWinograd(io, .f4x4)
        // A shallow patch's own kernel on AVX2; a Winograd layer's stand-in in AVX-512 registers.
        case .direct: forwardDirect(io, avx512: forwardKernel != .direct)
        case .depthwise: forwardDepthwise(io)
        case .im2col: forwardIm2col(io)
        }
    }

    private func forwardIm2col(_ io: LayerIO) {
        let total = io.batch * pixelsPerSample
        if io.threads > 1 && total <= chunkRows && total >= 2 * io.threads
            && !BLAS.splitsColumns(m: total, n: groupFilters)
        {
            // Few rows (one image): each thread builds and multiplies its own rows, so the
            // im2col work is split too and each thread's slice of the matrix stays in its cache.
            // Not where the kernel outweighs the rows: there the GEMM splits its filters.
            let parts = splitRange(total, parts: io.threads)
            let io = UncheckedIO(io)
            Parallelism.run(parts.count) { p in
                forwardRows(io.value, parts[p], col: io.value.scratch + parts[p].lowerBound * patchSize, threads: 1)
            }
            return
        }
        var start = 0
        while start < total {
            let rows = min(chunkRows, total - start)
            forwardRows(io, start..<start + rows, col: io.scratch, threads: io.threads)
            start += rows
        }
    }

    /// Output pixels `rows` (at most `chunkRows`), through an im2col buffer at `col`.
    private func forwardRows(_ io: LayerIO, _ rows: Range<Int>, col: UnsafeMutablePointer<Float>, threads: Int) {
        let kernel = io.parameters, bias = io.parameters + patchSize * filters
        let y = io.output + rows.lowerBound * filters
        // An inline loop: a memmove call per 64-float row costs more than the copy.
        for r in 0..<rows.count {
            let row = y + r * filters
            for f in 0..<filters { row[f] = useBias ? bias[f] : 0 }
        }
        for g in 0..<groups {
            var a = UnsafePointer(io.input + rows.lowerBound * patchSize)
            if !isPointwise {
                im2col(io.input, rows: rows, group: g, into: col)
                a = UnsafePointer(col)
            }
            BLAS.gemm(
                m: rows.count, n: groupFilters, k: patchSize, a: a, lda: patchSize,
                b: kernel + g * groupFilters, ldb: filters, beta: 1, c: y + g * groupFilters, ldc: filters,
                threads: threads)
        }
        if activation.needsPreActivation {
            copyFloats(preActivations(io) + rows.lowerBound * filters, from: y, count: rows.count * filters)
        }
        activation.apply(y, count: rows.count * filters)
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        if gathersInputGradient(gradients) {
            backwardInputGathered(io, gradients)
            return
        }
        if forwardKernel == .depthwise {
            backwardDepthwise(io, gradients)
            return
        }
        if winogradBackwardApplies(io, gradients) {
            backwardInputWinograd(io, gradients)
            return
        }
        let total = io.batch * pixelsPerSample
        let kernel = io.parameters
        let chunk = min(chunkRows, total)
        let col = io.scratch, dCol = io.scratch + chunk * patchSize
        let dPre = dCol + chunk * patchSize
        if let dx = gradients.input { dx.update(repeating: 0, count: io.batch * inputShape.elementCount) }
        var start = 0
        while start < total {
            let rows = min(chunk, total - start)
            activation.backward(
                output: io.output + start * filters, outputGradient: gradients.output + start * filters,
                into: dPre, count: rows * filters, rule: gradients.rule,
                preActivation: activation.needsPreActivation ? preActivations(io) + start * filters : nil)
            if let dParams = gradients.parameters {
                let dKernel = dParams, dBias = dParams + patchSize * filters
                for r in 0..<rows where useBias {
                    let g = dPre + r * filters
                    for f in 0..<filters { dBias[f] += g[f] }
                }
                for g in 0..<groups {
                    var a = UnsafePointer(io.input + start * patchSize)
                    if !isPointwise {
                        im2col(io.input, rows: start..<start + rows, group: g, into: col)
                        a = UnsafePointer(col)
                    }
                    BLAS.gemm(
                        transA: true, m: patchSize, n: groupFilters, k: rows, a: a, lda: patchSize,
                        b: dPre + g * groupFilters, ldb: filters, beta: 1, c: dKernel + g * groupFilters,
                        ldc: filters, threads: io.threads)
                }
            }
            if let dx = gradients.input {
                for g in 0..<groups {
                    // A pointwise layer's im2col rows are the input's pixels: written in place.
                    let c = isPointwise ? dx + start * patchSize : dCol
                    BLAS.gemm(
                        transB: true, m: rows, n: patchSize, k: groupFilters, a: dPre + g * groupFilters,
                        lda: filters, b: kernel + g * groupFilters, ldb: filters, beta: 0, c: c, ldc: patchSize,
                        threads: io.threads)
                    if !isPointwise { col2im(dCol, rows: start..<start + rows, group: g, into: dx) }
                }
            }
            start += rows
        }
    }

    /// Visits each output pixel of `rows` and each in-bounds kernel tap, giving the
    /// offset of the tap's first channel (of group `group`) in the input and in the
    /// im2col row.
    @inline(__always)
    private func forEachTap(
        rows: Range<Int>, group: Int, _ body: (_ row: Int, _ inputOffset: Int, _ colOffset: Int) -> Void
    ) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), cg = groupInputs
        let (oh, ow) = (outputShape[0], outputShape[1])
        for r in rows {
            let b = r / (oh * ow), oy = (r / ow) % oh, ox = r % ow
            for ky in 0..<kernelSize.height {
                let iy = oy * strides.height - padTop + ky * dilations.height
                guard iy >= 0 && iy < h else { continue }
                for kx in 0..<kernelSize.width {
                    let ix = ox * strides.width - padLeft + kx * dilations.width
                    guard ix >= 0 && ix < w else { continue }
                    body(
                        r - rows.lowerBound, ((b * h + iy) * w + ix) * c + group * cg,
                        (ky * kernelSize.width + kx) * cg)
                }
            }
        }
    }

    /// Without padding, groups or horizontal dilation, where every tap is in bounds: visits
    /// each output pixel of `rows`
    /// and each kernel row, giving the offset of the row's first tap in the input and in
    /// the im2col matrix (relative to `rows`). The row's kw·c taps that follow are
    /// contiguous in both, since NHWC stores (x, c) innermost.
    @inline(__always)
    private func forEachSpan(rows: Range<Int>, _ body: (_ inputOffset: Int, _ colOffset: Int) -> Void) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = (outputShape[0], outputShape[1])
        let span = kernelSize.width * c
        for r in rows {
            let b = r / (oh * ow), oy = (r / ow) % oh, ox = r % ow
            for ky in 0..<kernelSize.height {
                body(
                    ((b * h + oy * strides.height + ky * dilations.height) * w + ox * strides.width) * c,
                    (r - rows.lowerBound) * patchSize + ky * span)
            }
        }
    }

    private func im2col(
        _ x: UnsafePointer<Float>, rows: Range<Int>, group: Int, into col: UnsafeMutablePointer<Float>
    ) {
        let k = patchSize, c = groupInputs
        if spansAreContiguous {
            let span = kernelSize.width * c
            forEachSpan(rows: rows) { inputOffset, colOffset in
                let src = x + inputOffset, out = col + colOffset
                if span < 16 { for i in 0..<span { out[i] = src[i] } } else { out.update(from: src, count: span) }
            }
            return
        }
        col.update(repeating: 0, count: rows.count * k)
        forEachTap(rows: rows, group: group) { row, inputOffset, colOffset in
            let dst = col + row * k + colOffset, src = x + inputOffset
            // A plain loop for few channels: memmove's call overhead dominates there.
            if c < 16 { for i in 0..<c { dst[i] = src[i] } } else { dst.update(from: src, count: c) }
        }
    }

    private func col2im(
        _ dCol: UnsafePointer<Float>, rows: Range<Int>, group: Int, into dx: UnsafeMutablePointer<Float>
    ) {
        let k = patchSize, c = groupInputs
        if spansAreContiguous {
            let span = kernelSize.width * c
            forEachSpan(rows: rows) { inputOffset, colOffset in
                let dst = dx + inputOffset, src = dCol + colOffset
                for i in 0..<span { dst[i] += src[i] }
            }
            return
        }
        forEachTap(rows: rows, group: group) { row, inputOffset, colOffset in
            let src = dCol + row * k + colOffset, dst = dx + inputOffset
            for i in 0..<c { dst[i] += src[i] }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension Conv2D {
    public var operation: OperationDescription {
        OperationDescription(
            "conv2d",
            [
                "kernel": .ints([kernelSize.height, kernelSize.width]),
                "strides": .ints([strides.height, strides.width]),
                "dilations": .ints([dilations.height, dilations.width]), "pads": .ints([pads.top, pads.left]),
                "groups": .int(groups), "activation": .activation(activation),
            ])
    }
    public var gridMapping: GridMapping {
        .window(size: kernelSize, strides: strides, pads: pads, dilations: dilations)
    }
    public var propagation: PropagationRole { .affine }
}
