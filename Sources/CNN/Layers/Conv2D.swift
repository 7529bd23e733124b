/// Keras's padding modes: `valid` (no padding) and `same` (zero padding so that the
/// output is `ceil(input / stride)`, the extra row or column going bottom/right).
public enum Padding: String, Sendable, CaseIterable {
    case valid, same

    /// Output length and leading padding for an input length, window and stride.
    func outputLength(input: Int, window: Int, stride: Int) -> (length: Int, padBefore: Int) {
        switch self {
        case .valid:
            return (input >= window ? (input - window) / stride + 1 : 0, 0)
        case .same:
            let length = (input + stride - 1) / stride
            let total = max((length - 1) * stride + window - input, 0)
            return (length, total / 2)
        }
    }
}

/// A 2-D convolution over NHWC input with an HWIO kernel `[kh, kw, in, out]` and a bias,
/// followed by its activation.
///
/// It runs as im2col + GEMM: each output pixel's receptive field becomes one row of a
/// matrix whose columns are ordered (ky, kx, c), the same order as the kernel's rows
/// when HWIO is read as a `[kh·kw·in, out]` matrix, so no reshuffling is needed and the
/// GEMM writes the NHWC output directly. Rows are processed in chunks that fit in cache.
public struct Conv2D: Layer {
    public let name: String
    public let inputShape: [Int]
    public let filters: Int
    public let kernelSize: (height: Int, width: Int)
    public let strides: (height: Int, width: Int)
    public let padding: Padding
    public let activation: Activation
    public let outputShape: [Int]
    let padTop: Int
    let padLeft: Int
    /// The fast kernel this layer's shape allows. Training uses im2col + GEMM throughout;
    /// a Winograd layer runs Winograd only in passes marked `outputsOnly`, and for the input
    /// gradient when no parameter gradients are wanted (see Conv2D+FastKernels.swift).
    public let forwardKernel: ConvolutionKernel

    public var kind: String { "Conv2D" }

    public init(
        name: String, inputShape: [Int], filters: Int, kernelSize: (Int, Int),
        strides: (Int, Int) = (1, 1), padding: Padding = .valid, activation: Activation = .linear
    ) {
        precondition(inputShape.count == 3, "Conv2D needs an [h, w, c] input")
        self.name = name
        self.inputShape = inputShape
        self.filters = filters
        self.kernelSize = (kernelSize.0, kernelSize.1)
        self.strides = (strides.0, strides.1)
        self.padding = padding
        self.activation = activation
        let rows = padding.outputLength(input: inputShape[0], window: kernelSize.0, stride: strides.0)
        let cols = padding.outputLength(input: inputShape[1], window: kernelSize.1, stride: strides.1)
        outputShape = [rows.length, cols.length, filters]
        padTop = rows.padBefore
        padLeft = cols.padBefore
        forwardKernel = ConvolutionKernel.choose(
            inputShape: inputShape, outputShape: outputShape,
            kernelSize: self.kernelSize, strides: self.strides, padding: padding)
    }

    /// Rows of the im2col matrix: the kernel's receptive field size.
    var patchSize: Int { kernelSize.height * kernelSize.width * inputShape[2] }
    var pixelsPerSample: Int { outputShape[0] * outputShape[1] }

    public var parameterShapes: [ParameterShape] {
        [
            ParameterShape(
                key: "kernel", shape: [kernelSize.height, kernelSize.width, inputShape[2], filters], isKernel: true),
            ParameterShape(key: "bias", shape: [filters], isKernel: false),
        ]
    }

    public var multiplyAccumulates: Int { pixelsPerSample * patchSize * filters }

    /// Output pixels per chunk: about 1 MB of im2col matrix, at least one output row.
    private var chunkRows: Int { max(outputShape[1], (1 << 18) / max(patchSize, 1)) }

    public func scratchCount(batch: Int) -> Int {
        let rows = min(chunkRows, batch * pixelsPerSample)
        return max(rows * (2 * patchSize + filters), fastScratchCount)
    }

    public func forward(_ io: LayerIO) {
        // Training (a dropout key is set) stays on im2col + GEMM: the one-epoch accuracy of
        // the reference recipe depends on float rounding (98.51 % with im2col, 98.48 % with
        // Winograd for the spec's seed), and trained weights stay as they were. Winograd
        // also needs `outputsOnly` (see there); the direct kernel treats every pixel alike.
        let kernel: ConvolutionKernel =
            if io.dropout != nil || (forwardKernel.winograd != nil && !io.outputsOnly) {
                .im2col
            } else {
                forwardKernel
            }
        switch kernel {
        case .winograd2x2: forwardWinograd(io, .f2x2)
        case .winograd4x4: forwardWinograd(io, .f4x4)
        case .direct: forwardDirect(io)
        case .im2col: forwardIm2col(io)
        }
    }

    private func forwardIm2col(_ io: LayerIO) {
        let total = io.batch * pixelsPerSample
        if io.threads > 1 && total <= chunkRows && total >= 2 * io.threads {
            // Few rows (one image): each thread builds and multiplies its own rows, so the
            // im2col work is split too and each thread's slice of the matrix stays in its cache.
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
        im2col(io.input, rows: rows, into: col)
        let y = io.output + rows.lowerBound * filters
        // An inline loop: a memmove call per 64-float row costs more than the copy.
        for r in 0..<rows.count {
            let row = y + r * filters
            for f in 0..<filters { row[f] = bias[f] }
        }
        BLAS.gemm(
            m: rows.count, n: filters, k: patchSize, a: col, lda: patchSize,
            b: kernel, ldb: filters, beta: 1, c: y, ldc: filters, threads: threads)
        activation.apply(y, count: rows.count * filters)
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
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
                into: dPre, count: rows * filters, guided: gradients.guided)
            if let dParams = gradients.parameters {
                let dKernel = dParams, dBias = dParams + patchSize * filters
                for r in 0..<rows {
                    let g = dPre + r * filters
                    for f in 0..<filters { dBias[f] += g[f] }
                }
                im2col(io.input, rows: start..<start + rows, into: col)
                BLAS.gemm(
                    transA: true, m: patchSize, n: filters, k: rows, a: col, lda: patchSize,
                    b: dPre, ldb: filters, beta: 1, c: dKernel, ldc: filters, threads: io.threads)
            }
            if let dx = gradients.input {
                BLAS.gemm(
                    transB: true, m: rows, n: patchSize, k: filters, a: dPre, lda: filters,
                    b: kernel, ldb: filters, beta: 0, c: dCol, ldc: patchSize, threads: io.threads)
                col2im(dCol, rows: start..<start + rows, into: dx)
            }
            start += rows
        }
    }

    /// Visits each output pixel of `rows` and each in-bounds kernel tap, giving the
    /// offset of the tap's first channel in the input and in the im2col row.
    @inline(__always)
    private func forEachTap(rows: Range<Int>, _ body: (_ row: Int, _ inputOffset: Int, _ colOffset: Int) -> Void) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2])
        let (oh, ow) = (outputShape[0], outputShape[1])
        for r in rows {
            let b = r / (oh * ow), oy = (r / ow) % oh, ox = r % ow
            for ky in 0..<kernelSize.height {
                let iy = oy * strides.height - padTop + ky
                guard iy >= 0 && iy < h else { continue }
                for kx in 0..<kernelSize.width {
                    let ix = ox * strides.width - padLeft + kx
                    guard ix >= 0 && ix < w else { continue }
                    body(r - rows.lowerBound, ((b * h + iy) * w + ix) * c, (ky * kernelSize.width + kx) * c)
                }
            }
        }
    }

    /// For valid padding, where every tap is in bounds: visits each output pixel of `rows`
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
                    ((b * h + oy * strides.height + ky) * w + ox * strides.width) * c,
                    (r - rows.lowerBound) * patchSize + ky * span)
            }
        }
    }

    private func im2col(_ x: UnsafePointer<Float>, rows: Range<Int>, into col: UnsafeMutablePointer<Float>) {
        let k = patchSize, c = inputShape[2]
        if padding == .valid {
            let span = kernelSize.width * c
            forEachSpan(rows: rows) { inputOffset, colOffset in
                let src = x + inputOffset, out = col + colOffset
                if span < 16 { for i in 0..<span { out[i] = src[i] } } else { out.update(from: src, count: span) }
            }
            return
        }
        col.update(repeating: 0, count: rows.count * k)
        forEachTap(rows: rows) { row, inputOffset, colOffset in
            let dst = col + row * k + colOffset, src = x + inputOffset
            // A plain loop for few channels: memmove's call overhead dominates there.
            if c < 16 { for i in 0..<c { dst[i] = src[i] } } else { dst.update(from: src, count: c) }
        }
    }

    private func col2im(_ dCol: UnsafePointer<Float>, rows: Range<Int>, into dx: UnsafeMutablePointer<Float>) {
        let k = patchSize, c = inputShape[2]
        if padding == .valid {
            let span = kernelSize.width * c
            forEachSpan(rows: rows) { inputOffset, colOffset in
                let dst = dx + inputOffset, src = dCol + colOffset
                for i in 0..<span { dst[i] += src[i] }
            }
            return
        }
        forEachTap(rows: rows) { row, inputOffset, colOffset in
            let src = dCol + row * k + colOffset, dst = dx + inputOffset
            for i in 0..<c { dst[i] += src[i] }
        }
    }
}
