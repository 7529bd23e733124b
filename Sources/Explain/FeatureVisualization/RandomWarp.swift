import CNN
import Foundation

/// Transformation robustness (Lucid's `standard_transforms`, scaled to small inputs): at
/// each step the image is shifted, scaled and rotated at random before the model sees it,
/// so the optimization can only keep patterns that survive all of them. One affine map
/// with bilinear sampling (cells outside the image read `fill`); its adjoint carries the
/// gradient back.
struct RandomWarp {
    /// Largest shift, in pixels, in each direction.
    var jitter: Float = 2
    /// Scales drawn from (Lucid: 1 + (i − 5) / 50 for i in 0…10).
    var scales: [Float] = (0...10).map { 1 + Float($0 - 5) / 50 }
    /// Angles in degrees drawn from (Lucid: −10…10 and five more zeros).
    var angles: [Float] = (-10...10).map(Float.init) + Array(repeating: 0, count: 5)
    /// The value outside the image (MNIST's black background).
    var fill: Float = 0

    /// One drawn transform: where each output pixel samples the input.
    struct Sampling {
        let height: Int, width: Int, channels: Int
        /// Per output pixel: the four input pixels (−1: outside) and their weights.
        let sources: [(Int, Float)]
        let fill: Float

        func apply(_ x: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: x.count)
            for p in 0..<(height * width) {
                for ch in 0..<channels {
                    var v: Float = 0
                    for t in 0..<4 {
                        let (source, weight) = sources[p * 4 + t]
                        v += weight * (source < 0 ? fill : x[source * channels + ch])
                    }
                    out[p * channels + ch] = v
                }
            }
            return out
        }

        /// The adjoint: each output pixel's gradient shared among the inputs it sampled.
        func pullBack(_ g: [Float]) -> [Float] {
            var out = [Float](repeating: 0, count: g.count)
            for p in 0..<(height * width) {
                for t in 0..<4 {
                    let (source, weight) = sources[p * 4 + t]
                    guard source >= 0 else { continue }
                    for ch in 0..<channels { out[source * channels + ch] += weight * g[p * channels + ch] }
                }
            }
            return out
        }
    }

    func draw(height h: Int, width w: Int, channels c: Int, random: inout SeededRandom) -> Sampling {
        let dx = random.uniform(-jitter, jitter), dy = random.uniform(-jitter, jitter)
        let scale = scales[Int(random.next() % UInt64(scales.count))]
        let angle = angles[Int(random.next() % UInt64(angles.count))] * .pi / 180
        let (cy, cx) = (Float(h - 1) / 2, Float(w - 1) / 2)
        let (cosA, sinA) = (cos(angle), sin(angle))
        var sources: [(Int, Float)] = []
        sources.reserveCapacity(h * w * 4)
        for y in 0..<h {
            for x in 0..<w {
                // The inverse map: undo the shift, then the rotation and scale about the centre.
                let (u, v) = (Float(x) - dx - cx, Float(y) - dy - cy)
                let sx = (cosA * u + sinA * v) / scale + cx, sy = (-sinA * u + cosA * v) / scale + cy
                let (x0, y0) = (Int(floor(sx)), Int(floor(sy)))
                let (fx, fy) = (sx - Float(x0), sy - Float(y0))
                for (yy, xx, weight) in [
                    (y0, x0, (1 - fx) * (1 - fy)), (y0, x0 + 1, fx * (1 - fy)), (y0 + 1, x0, (1 - fx) * fy),
                    (y0 + 1, x0 + 1, fx * fy),
                ] {
                    sources.append(((0..<h).contains(yy) && (0..<w).contains(xx) ? yy * w + xx : -1, weight))
                }
            }
        }
        return Sampling(height: h, width: w, channels: c, sources: sources, fill: fill)
    }
}
