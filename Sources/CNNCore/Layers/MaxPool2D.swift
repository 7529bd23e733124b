import CKernels

/// 2-D max pooling over NHWC input (Keras `MaxPooling2D`); strides default to the pool size.
/// Padded cells never win (as PyTorch's and ONNX's padding with −∞).
///
/// The forward pass records, for each output, which input won; the backward pass
/// routes the gradient to that input only.
public struct MaxPool2D: Layer {
    public let name: String
    public let inputShape: [Int]
    public let poolSize: (height: Int, width: Int)
    public let strides: (height: Int, width: Int)
    public let pads: Pads
    public let outputShape: [Int]
    var padTop: Int { pads.top }
    var padLeft: Int { pads.left }

    public var kind: String { "MaxPooling2D" }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(
        name: String, inputShape: [Int], poolSize: (Int, Int), strides: (Int, Int)? = nil,
        padding: Padding = .valid
    ) {
        let strides = strides ?? poolSize
        self.init(
            name: name, inputShape: inputShape, poolSize: poolSize, strides: strides,
            pads: Pads(padding, input: inputShape, window: poolSize, strides: strides))
    }

    public init(name: String, inputShape: [Int], poolSize: (Int, Int), strides: (Int, Int), pads: Pads) {
        precondition(inputShape.count == 3, "MaxPool2D needs an [h, w, c] input")
        self.name = name
        self.inputShape = inputShape
        self.poolSize = (poolSize.0, poolSize.1)
        self.strides = (strides.0, strides.1)
        self.pads = pads
        let size = pads.outputSize(input: inputShape, window: poolSize, strides: strides)
        outputShape = [size.height, size.width, inputShape[2]]
    }

    /// One Int32 per output: the winning input's offset within the batch.
    public func scratchCount(batch: Int) -> Int { batch * outputShape.elementCount }

    public func forward(_ io: LayerIO) {
        if pads.isZero && ConvolutionKernel.fastKernelsAvailable {
            // Eight channels at a time with AVX2 (CKernels/maxpool.c).
            let (h, w, c) = (Int32(inputShape[0]), Int32(inputShape[1]), Int32(inputShape[2]))
            let pixels = io.batch * outputShape[0] * outputShape[1]
            io.scratch.withMemoryRebound(to: Int32.self, capacity: pixels * inputShape[2]) { winners in
                vz_maxpool_forward(
                    io.input, h, w, c, Int32(poolSize.height), Int32(poolSize.width),
                    Int32(strides.height), Int32(strides.width), Int32(outputShape[0]),
                    Int32(outputShape[1]), io.output, winners, 0, pixels)
            }
            return
        }
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2])
        let (oh, ow) = (outputShape[0], outputShape[1])
        let lanes = c / 4 * 4
        withUnsafeTemporaryAllocation(of: Int.self, capacity: poolSize.height * poolSize.width) { window in
            io.scratch.withMemoryRebound(to: Int32.self, capacity: io.batch * oh * ow * c) { winners in
                for b in 0..<io.batch {
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            // The offsets of the window's in-bounds pixels.
                            var taps = 0
                            for py in 0..<poolSize.height {
                                let iy = oy * strides.height - padTop + py
                                guard iy >= 0 && iy < h else { continue }
                                for px in 0..<poolSize.width {
                                    let ix = ox * strides.width - padLeft + px
                                    guard ix >= 0 && ix < w else { continue }
                                    window[taps] = ((b * h + iy) * w + ix) * c
                                    taps += 1
                                }
                            }
                            let out = ((b * oh + oy) * ow + ox) * c
                            // Four channels at a time, branch-free: which input wins is
                            // data-dependent and unpredictable.
                            var ch = 0
                            while ch < lanes {
                                var best = load4(io.input + window[0] + ch)
                                var index = SIMD4<Int32>(repeating: Int32(window[0] + ch)) &+ SIMD4(0, 1, 2, 3)
                                for t in 1..<taps {
                                    let v = load4(io.input + window[t] + ch)
                                    let better = v .> best
                                    best.replace(with: v, where: better)
                                    index.replace(
                                        with: SIMD4<Int32>(repeating: Int32(window[t] + ch)) &+ SIMD4(0, 1, 2, 3),
                                        where: better)
                                }
                                UnsafeMutableRawPointer(io.output + out + ch).storeBytes(
                                    of: best, as: SIMD4<Float>.self)
                                UnsafeMutableRawPointer(winners + out + ch).storeBytes(of: index, as: SIMD4<Int32>.self)
                                ch += 4
                            }
                            while ch < c {
                                var best = io.input[window[0] + ch], index = window[0] + ch
                                for t in 1..<taps where io.input[window[t] + ch] > best {
                                    best = io.input[window[t] + ch]
                                    index = window[t] + ch
                                }
                                io.output[out + ch] = best
                                winners[out + ch] = Int32(index)
                                ch += 1
                            }
                        }
                    }
                }
            }
        }
    }

    @inline(__always)
    private func load4(_ p: UnsafePointer<Float>) -> SIMD4<Float> {
        UnsafeRawPointer(p).loadUnaligned(as: SIMD4<Float>.self)
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let outputs = io.batch * outputShape.elementCount
        dx.update(repeating: 0, count: io.batch * inputShape.elementCount)
        io.scratch.withMemoryRebound(to: Int32.self, capacity: outputs) { winners in
            for i in 0..<outputs { dx[Int(winners[i])] += gradients.output[i] }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension MaxPool2D {
    public var operation: OperationDescription {
        OperationDescription(
            "maxpool",
            [
                "pool": .ints([poolSize.height, poolSize.width]), "strides": .ints([strides.height, strides.width]),
                "pads": .ints([pads.top, pads.left]),
            ])
    }
    public var gridMapping: GridMapping { .window(size: poolSize, strides: strides, pads: pads) }
    public var propagation: PropagationRole { .maximum }
}
