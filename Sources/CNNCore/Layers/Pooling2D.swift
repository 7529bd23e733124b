/// 2-D average pooling over NHWC input (Keras `AveragePooling2D`, ONNX `AveragePool`);
/// strides default to the pool size.
///
/// With padding, a window's average is over its cells inside the image (Keras, ONNX's
/// default), or over the whole window when `countIncludePad` (PyTorch's default).
public struct AveragePool2D: Layer {
    public let name: String
    public let inputShape: [Int]
    public let poolSize: (height: Int, width: Int)
    public let strides: (height: Int, width: Int)
    public let pads: Pads
    public let countIncludePad: Bool
    public let outputShape: [Int]

    public var kind: String { "AveragePooling2D" }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(
        name: String, inputShape: [Int], poolSize: (Int, Int), strides: (Int, Int)? = nil, padding: Padding = .valid
    ) {
        let strides = strides ?? poolSize
        self.init(
            name: name, inputShape: inputShape, poolSize: poolSize, strides: strides,
            pads: Pads(padding, input: inputShape, window: poolSize, strides: strides))
    }

    public init(
        name: String, inputShape: [Int], poolSize: (Int, Int), strides: (Int, Int), pads: Pads,
        countIncludePad: Bool = false
    ) {
        precondition(inputShape.count == 3, "AveragePool2D needs an [h, w, c] input")
        self.name = name
        self.inputShape = inputShape
        self.poolSize = (poolSize.0, poolSize.1)
        self.strides = (strides.0, strides.1)
        self.pads = pads
        self.countIncludePad = countIncludePad
        let size = pads.outputSize(input: inputShape, window: poolSize, strides: strides)
        outputShape = [size.height, size.width, inputShape[2]]
    }

    public func scratchCount(batch: Int) -> Int { 0 }

    /// Visits every output pixel with its window's in-bounds input pixels and the divisor.
    @inline(__always)
    private func forEachWindow(batch: Int, _ body: (_ out: Int, _ taps: [Int], _ scale: Float) -> Void) {
        let (h, w, c) = (inputShape[0], inputShape[1], inputShape[2]), (oh, ow) = (outputShape[0], outputShape[1])
        var taps: [Int] = []
        taps.reserveCapacity(poolSize.height * poolSize.width)
        for b in 0..<batch {
            for oy in 0..<oh {
                for ox in 0..<ow {
                    taps.removeAll(keepingCapacity: true)
                    for py in 0..<poolSize.height {
                        let iy = oy * strides.height - pads.top + py
                        guard iy >= 0 && iy < h else { continue }
                        for px in 0..<poolSize.width {
                            let ix = ox * strides.width - pads.left + px
                            guard ix >= 0 && ix < w else { continue }
                            taps.append(((b * h + iy) * w + ix) * c)
                        }
                    }
                    let count = countIncludePad ? poolSize.height * poolSize.width : max(taps.count, 1)
                    body(((b * oh + oy) * ow + ox) * c, taps, 1 / Float(count))
                }
            }
        }
    }

    public func forward(_ io: LayerIO) {
        let c = inputShape[2]
        forEachWindow(batch: io.batch) { out, taps, scale in
            let y = io.output + out
            for k in 0..<c { y[k] = 0 }
            for t in taps { for k in 0..<c { y[k] += io.input[t + k] } }
            for k in 0..<c { y[k] *= scale }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let c = inputShape[2]
        dx.update(repeating: 0, count: io.batch * inputShape.elementCount)
        forEachWindow(batch: io.batch) { out, taps, scale in
            let dy = gradients.output + out
            for t in taps { for k in 0..<c { dx[t + k] += dy[k] * scale } }
        }
    }
}

/// Pooling over all of an image's pixels, per channel (Keras `GlobalAveragePooling2D` and
/// `GlobalMaxPooling2D`, ONNX `GlobalAveragePool`, `GlobalMaxPool`): `[h, w, c]` → `[c]`,
/// or `[1, 1, c]` with `keepDims`.
public struct GlobalPool2D: Layer {
    public enum Reduction: String, Sendable { case average, max }

    public let name: String
    public let inputShape: [Int]
    public let reduction: Reduction
    public let keepDims: Bool

    public var kind: String { reduction == .average ? "GlobalAveragePooling2D" : "GlobalMaxPooling2D" }
    public var outputShape: [Int] { keepDims ? [1, 1, inputShape[2]] : [inputShape[2]] }
    public var activation: Activation { .linear }
    public var parameterShapes: [ParameterShape] { [] }
    public var multiplyAccumulates: Int { 0 }

    public init(name: String, inputShape: [Int], reduction: Reduction, keepDims: Bool = false) {
        precondition(inputShape.count == 3, "GlobalPool2D needs an [h, w, c] input")
        self.name = name
        self.inputShape = inputShape
        self.reduction = reduction
        self.keepDims = keepDims
    }

    /// Max pooling: the winning pixel of each output, as Int32.
    public func scratchCount(batch: Int) -> Int { reduction == .max ? batch * inputShape[2] : 0 }

    public func forward(_ io: LayerIO) {
        let pixels = inputShape[0] * inputShape[1], c = inputShape[2]
        for b in 0..<io.batch {
            let x = io.input + b * pixels * c, y = io.output + b * c
            switch reduction {
            case .average:
                // Summed in Double: a 56×56 map adds 3,136 terms.
                var sums = [Double](repeating: 0, count: c)
                for p in 0..<pixels { for k in 0..<c { sums[k] += Double(x[p * c + k]) } }
                for k in 0..<c { y[k] = Float(sums[k] / Double(pixels)) }
            case .max:
                io.scratch.withMemoryRebound(to: Int32.self, capacity: io.batch * c) { winners in
                    for k in 0..<c {
                        var best = x[k], at = 0
                        for p in 1..<max(pixels, 1) where x[p * c + k] > best {
                            best = x[p * c + k]
                            at = p
                        }
                        y[k] = best
                        winners[b * c + k] = Int32(at)
                    }
                }
            }
        }
    }

    public func backward(_ io: LayerIO, _ gradients: LayerGradients) {
        guard let dx = gradients.input else { return }
        let pixels = inputShape[0] * inputShape[1], c = inputShape[2]
        for b in 0..<io.batch {
            let g = dx + b * pixels * c, dy = gradients.output + b * c
            switch reduction {
            case .average:
                let scale = 1 / Float(pixels)
                for p in 0..<pixels { for k in 0..<c { g[p * c + k] = dy[k] * scale } }
            case .max:
                g.update(repeating: 0, count: pixels * c)
                io.scratch.withMemoryRebound(to: Int32.self, capacity: io.batch * c) { winners in
                    for k in 0..<c { g[Int(winners[b * c + k]) * c + k] = dy[k] }
                }
            }
        }
    }
}

// What it says about itself (LayerDescription.swift).
extension AveragePool2D {
    public var operation: OperationDescription {
        OperationDescription(
            "avgpool",
            [
                "pool": .ints([poolSize.height, poolSize.width]), "strides": .ints([strides.height, strides.width]),
                "pads": .ints([pads.top, pads.left]), "count_include_pad": .bool(countIncludePad),
            ])
    }
    public var gridMapping: GridMapping { .window(size: poolSize, strides: strides, pads: pads) }
    public var propagation: PropagationRole { .sum }
}

// What it says about itself (LayerDescription.swift).
extension GlobalPool2D {
    public var operation: OperationDescription {
        OperationDescription(reduction == .average ? "globalavg" : "globalmax")
    }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { reduction == .max ? .maximum : .sum }
}
