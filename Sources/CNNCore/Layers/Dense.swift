import CKernels

/// A fully connected layer `y = f(x · W + b)` with kernel `W` of shape `[in, out]`, over the
/// last axis: a vector's features, or each token's of a sequence `[tokens, in]` (Keras
/// `Dense` on a tensor, PyTorch `Linear`).
public struct Dense: Layer {
    public let name: String
    public let inputShape: [Int]
    public let units: Int
    public let activation: Activation
    /// Whether the layer adds a bias.
    public let useBias: Bool

    public var kind: String { "Dense" }
    public var outputShape: [Int] { inputShape.dropLast() + [units] }
    private var inputs: Int { inputShape.last! }
    /// The vectors in one sample: 1 for a flat input, the tokens of a sequence.
    private var rows: Int { inputShape.dropLast().reduce(1, *) }

    public init(name: String, inputShape: [Int], units: Int, activation: Activation = .linear, useBias: Bool = true) {
        precondition(!inputShape.isEmpty, "Dense needs an input with features")
        self.useBias = useBias
        self.name = name
        self.inputShape = inputShape
        self.units = units
        self.activation = activation
    }

    public var parameterShapes: [ParameterShape] {
        [
            ParameterShape(key: "kernel", shape: [inputs, units], initializer: .glorotUniform)
        ] + (useBias ? [ParameterShape(key: "bias", shape: [units], initializer: .zeros)] : [])
    }

    public var multiplyAccumulates: Int { rows * inputs * units }

    /// The gradient before the activation; in the forward pass of one sample, each
    /// thread's partial sums; then the pre-activation outputs, for activations whose
    /// derivative needs them.
    public func scratchCount(batch: Int) -> Int {
        max(batch * rows, Parallelism.cores) * units + (activation.needsPreActivation ? batch * rows * units : 0)
    }

    private func preActivations(_ io: LayerIO) -> UnsafeMutablePointer<Float> {
        io.scratch + max(io.batch * rows, Parallelism.cores) * units
    }

    public func forward(_ io: LayerIO) {
        if io.batch * rows == 1 && io.dropout == nil && units % 8 == 0 && ConvolutionKernel.fastKernelsAvailable {
            forwardOneSample(io)
            return
        }
        let kernel = io.parameters, bias = io.parameters + inputs * units, vectors = io.batch * rows
        for b in 0..<vectors {
            if useBias {
                (io.output + b * units).update(from: bias, count: units)
            } else {
                (io.output + b * units).update(repeating: 0, count: units)
            }
        }
        BLAS.gemm(
            m: vectors, n: units, k: inputs, a: io.input, lda: inputs, b: kernel, ldb: units,
            beta: 1, c: io.output, ldc: units, threads: io.threads)
        if activation.needsPreActivation { copyFloats(preActivations(io), from: io.output, count: vectors * units) }
        activation.apply(io.output, count: vectors * units)
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        let kernel = io.parameters, dPre = io.scratch, vectors = io.batch * rows
        activation.backward(
            output: io.output, outputGradient: gradients.output, into: dPre, count: vectors * units,
            rule: gradients.rule, preActivation: activation.needsPreActivation ? preActivations(io) : nil)
        if let dParams = gradients.parameters {
            let dBias = dParams + inputs * units
            for b in 0..<vectors where useBias {
                let g = dPre + b * units
                for u in 0..<units { dBias[u] += g[u] }
            }
            BLAS.gemm(
                transA: true, m: inputs, n: units, k: vectors, a: io.input, lda: inputs,
                b: dPre, ldb: units, beta: 1, c: dParams, ldc: units, threads: io.threads)
        }
        if let dx = gradients.input {
            BLAS.gemm(
                transB: true, m: vectors, n: inputs, k: units, a: dPre, lda: units,
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
            var sum = useBias ? bias[u] : 0
            for p in parts.indices { sum += io.scratch[p * units + u] }
            io.output[u] = sum
        }
        if activation.needsPreActivation { copyFloats(preActivations(io), from: io.output, count: units) }
        activation.apply(io.output, count: units)
    }
}

// What it says about itself (LayerDescription.swift).
extension Dense {
    public var operation: OperationDescription {
        OperationDescription("dense", ["activation": .activation(activation)])
    }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .affine }
}
