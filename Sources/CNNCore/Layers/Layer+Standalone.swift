/// Running one layer on its own, outside a model's workspace: what explanation methods
/// that replace a layer's backward rule (LRP, DeepLIFT) build on. Each call allocates
/// its buffers; the arrays hold `batch` samples each.
extension Layer {
    /// The layer's output for `inputs` (one array per input), inference mode, with
    /// `parameters` (the layer's slice of a parameter vector, in `parameterShapes` order).
    public func output(of inputs: [[Float]], parameters: [Float], batch: Int, threads: Int = 1) -> [Float] {
        withCall(inputs, parameters: parameters, batch: batch, threads: threads) { io in
            forward(io)
            return Array(UnsafeBufferPointer(start: io.output, count: batch * outputShape.elementCount))
        }
    }

    /// The vector–Jacobian product at `inputs`: the gradient of `Σ outputGradient ⊙ output`
    /// with respect to each input (for a linear layer, the transposed map applied to
    /// `outputGradient`, whatever the inputs).
    public func inputGradients(
        at inputs: [[Float]], parameters: [Float], outputGradient: [Float], batch: Int, threads: Int = 1
    ) -> [[Float]] {
        precondition(outputGradient.count == batch * outputShape.elementCount, "\(name): gradient size")
        return withCall(inputs, parameters: parameters, batch: batch, threads: threads) { io in
            forward(io)
            let sizes = inputShapes.map { $0.elementCount * batch }
            let buffers = sizes.map { UnsafeMutablePointer<Float>.allocate(capacity: max($0, 1)) }
            defer { buffers.forEach { $0.deallocate() } }
            var dy = outputGradient
            dy.withUnsafeMutableBufferPointer { dy in
                backward(
                    io,
                    LayerGradients(
                        output: dy.baseAddress!, input: buffers[0], extraInputs: Array(buffers.dropFirst())))
            }
            return zip(buffers, sizes).map { Array(UnsafeBufferPointer(start: $0, count: $1)) }
        }
    }

    private func withCall<R>(
        _ inputs: [[Float]], parameters: [Float], batch: Int, threads: Int, _ body: (LayerIO) -> R
    ) -> R {
        precondition(inputs.count == inputShapes.count, "\(name): one array per input")
        for (values, shape) in zip(inputs, inputShapes) {
            precondition(values.count == batch * shape.elementCount, "\(name): input size")
        }
        let owned = inputs.map { values in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(values.count, 1))
            p.initialize(from: values, count: values.count)
            return p
        }
        let output = UnsafeMutablePointer<Float>.allocate(capacity: max(batch * outputShape.elementCount, 1))
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(scratchCount(batch: batch), 1))
        defer {
            owned.forEach { $0.deallocate() }
            [output, scratch].forEach { $0.deallocate() }
        }
        // Layers only read their parameters, so the array's own storage serves (a dense
        // layer's kernel is megabytes; copying it per call cost more than the call).
        return parameters.withUnsafeBufferPointer { parameters in
            let io = LayerIO(
                batch: batch, input: owned[0], extraInputs: Array(owned.dropFirst()), output: output,
                parameters: parameters.baseAddress.map { UnsafeMutablePointer(mutating: $0) } ?? scratch,
                scratch: scratch,
                threads: threads, dropout: nil, layerIndex: 0)
            return body(io)
        }
    }
}

/// A layer whose output is an activation of an affine map of its input, `f(W x + b)`:
/// convolutions and dense layers, the layers LRP's rules are written for.
public protocol AffineLayer: Layer {
    /// The same layer without its activation: `x ↦ W x + b`.
    var affinePart: Self { get }
    /// Floats of the kernel `W` at the start of the layer's parameters; the bias (if
    /// any) follows.
    var kernelCount: Int { get }
}

extension Conv2D: AffineLayer {
    public var affinePart: Conv2D {
        Conv2D(
            name: name, inputShape: inputShape, filters: filters, kernelSize: kernelSize, strides: strides, pads: pads,
            dilations: dilations, groups: groups, activation: .linear, useBias: useBias, kind: kind)
    }
    public var kernelCount: Int { parameterShapes[0].shape.elementCount }
}

extension Dense: AffineLayer {
    public var affinePart: Dense {
        Dense(name: name, inputShape: inputShape, units: units, activation: .linear, useBias: useBias)
    }
    public var kernelCount: Int { parameterShapes[0].shape.elementCount }
}

extension Activation {
    /// `f(x)` elementwise (softmax: the identity, as inside a model).
    public func values(_ x: [Float]) -> [Float] {
        var y = x
        y.withUnsafeMutableBufferPointer { apply($0.baseAddress!, count: $0.count) }
        return y
    }

    /// `f'(x)` elementwise, as the backward pass uses it (ReLU: 0 at 0).
    public func derivative(_ x: [Float]) -> [Float] {
        let y = values(x), ones = [Float](repeating: 1, count: x.count)
        var d = [Float](repeating: 0, count: x.count)
        d.withUnsafeMutableBufferPointer { d in
            backward(output: y, outputGradient: ones, into: d.baseAddress!, count: x.count, preActivation: x)
        }
        return d
    }
}
