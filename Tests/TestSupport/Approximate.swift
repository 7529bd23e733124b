import CNN

/// The largest absolute difference between two equally long arrays; infinite where either
/// holds a NaN (`max` would pass over it, and a NaN model would match anything).
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { largest, pair in
        let difference = abs(pair.0 - pair.1)
        return difference.isNaN ? .infinity : max(largest, difference)
    }
}

/// Whether every pair is within `absolute + relative · |b|`.
public func allClose(_ a: [Float], _ b: [Float], absolute: Float = 1e-5, relative: Float = 1e-4) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= absolute + relative * abs($1) }
}

/// A convolution computed loop by loop from its definition: NHWC `x`, HWIO `kernel`,
/// zero padding of `padTop`/`padLeft` before the input, output `[oh, ow, filters]`.
public func naiveConv(
    _ x: Tensor, kernel: Tensor, bias: Tensor, stride: Int, padTop: Int, padLeft: Int, out: [Int]
) -> [Float] {
    let (h, w, c) = (x.shape[1], x.shape[2], x.shape[3]),
        (kh, kw, o) = (kernel.shape[0], kernel.shape[1], kernel.shape[3])
    var y: [Float] = []
    for b in 0..<x.shape[0] {
        for oy in 0..<out[0] {
            for ox in 0..<out[1] {
                for f in 0..<o {
                    var sum = bias[f]
                    for ky in 0..<kh {
                        for kx in 0..<kw {
                            for ch in 0..<c {
                                let iy = oy * stride - padTop + ky, ix = ox * stride - padLeft + kx
                                if iy >= 0 && iy < h && ix >= 0 && ix < w {
                                    sum += x[b, iy, ix, ch] * kernel[ky, kx, ch, f]
                                }
                            }
                        }
                    }
                    y.append(sum)
                }
            }
        }
    }
    return y
}
