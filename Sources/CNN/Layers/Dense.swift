import CKernels

/// A fully connected layer `y = f(x · W + b)` with kernel `W` of shape `[in, out]`.
public struct Dense: Layer {
    public let name: String
    public let inputShape: [Int]
    public let units: Int
    public let activation: Activation

    public var kind: String { "Dense" }
    public var outputShape: [Int] { [units] }
    private var inputs: Int { inputShape[0] }

    public init(name: String, inputShape: [Int], units: Int, activation: Activation = .linear) {
        precondition(inputShape.count == 1, "Dense needs a flat input")
        self.name = name
        self.inputShape = inputShape
        self.units = units
        self.activation = activation
    }

    public var parameterShapes: [ParameterShape] {
        [
            ParameterShape(key: "kernel", shape: [inputs, units], isKernel: true),
            ParameterShape(key: "bias", shape: [units], isKernel: false),
        ]
    }

    public var multiplyAccumulates: Int { inputs * units }

    /// The gradient before the activation; in the forward pass of one sample, each
    /// thread's partial sums.
    public func scratchCount(batch: Int) -> Int { max(batch, Parallelism.workers) * units }

    public func forward(_ io: LayerIO) {
        if io.batch == 1 && io.dropout == nil && units % 8 == 0 && ConvolutionKernel.fastKernelsAvailable {
            forwardOneSample(io)
            return
        }
        let kernel = io.parameters, bias = io.parameters + inputs * units
        for b in 0..<io.batch { (io.output + b * units).update(from: bias, count: units) }
        BLAS.gemm(
            m: io.batch, n: units, k: inputs, a: io.input, lda: inputs, b: kernel, ldb: units,
            beta: 1, c: io.output, ldc: units, threads: io.threads)
        activation.apply(io.output, count: io.batch * units)
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let kernel = io.parameters, dPre = io.scratch
        activation.backward(
            output: io.output, outputGradient: gradients.output, into: dPre, count: io.batch * units,
            guided: gradients.guided)
        if let dParams = gradients.parameters {
            let dBias = dParams + inputs * units
            for b in 0..<io.batch {
                let g = dPre + b * units
                for u in 0..<units { dBias[u] += g[u] }
            }
            BLAS.gemm(
                transA: true, m: inputs, n: units, k: io.batch, a: io.input, lda: inputs,
                b: dPre, ldb: units, beta: 1, c: dParams, ldc: units, threads: io.threads)
        }
        if let dx = gradients.input {
            BLAS.gemm(
                transB: true, m: io.batch, n: inputs, k: units, a: dPre, lda: units,
                b: kernel, ldb: units, beta: 0, c: dx, ldc: inputs, threads: io.threads)
        }
    }

    /// One sample: each thread sums the weight rows of the non-zero inputs in its share of
    /// the inputs (CKernels/dense.c), then the shares are added up.
    private func forwardOneSample(_ io: LayerIO) {
        let parts = splitRange(inputs, parts: min(io.threads, Parallelism.workers))
        let unsafeIO = UncheckedIO(io), units = self.units
        Parallelism.run(parts.count) { p in
            let io = unsafeIO.value
            withUnsafeTemporaryAllocation(of: Int32.self, capacity: parts[p].count) { indices in
                vz_dense_sparse_input(
                    io.input, parts[p].lowerBound, parts[p].upperBound, io.parameters, Int32(units),
                    io.scratch + p * units, indices.baseAddress!)
            }
        }
        let bias = io.parameters + inputs * units
        for u in 0..<units {
            var sum = bias[u]
            for p in parts.indices { sum += io.scratch[p * units + u] }
            io.output[u] = sum
        }
        activation.apply(io.output, count: units)
    }
}
