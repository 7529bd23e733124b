/// SLIC superpixels (Achanta et al., 2012) with scikit-image's defaults, what IROF segments
/// an image into: cluster centres start on a regular grid of step `S = round(√(h·w/n))`;
/// for `iterations` rounds each pixel joins the centre within 2S that minimizes
/// `(Δy² + Δx²) / S² + ‖Δvalue‖² / m²` (m the compactness) and each centre moves to the
/// mean of its pixels; finally every connected piece smaller than half the mean segment
/// size joins the segment beside it. Labels run from 0 in raster order of first appearance.
struct Superpixels {
    let labels: [Int]
    let count: Int

    init(
        _ image: [Float], height h: Int, width w: Int, channels c: Int, segments n: Int = 100,
        compactness m: Double = 10, iterations: Int = 10
    ) {
        let step = max(1, Int((Double(h * w) / Double(n)).squareRoot().rounded()))
        // Centres: y, x, then the channel values at that pixel.
        var centres: [[Double]] = []
        for y in stride(from: step / 2, to: h, by: step) {
            for x in stride(from: step / 2, to: w, by: step) {
                centres.append([Double(y), Double(x)] + (0..<c).map { Double(image[(y * w + x) * c + $0]) })
            }
        }
        var labels = [Int](repeating: -1, count: h * w)
        let spatial = 1 / Double(step * step), colour = 1 / (m * m)
        for _ in 0..<iterations {
            var distance = [Double](repeating: .infinity, count: h * w)
            for (k, centre) in centres.enumerated() {
                let (cy, cx) = (Int(centre[0].rounded()), Int(centre[1].rounded()))
                for y in max(0, cy - 2 * step)..<min(h, cy + 2 * step + 1) {
                    for x in max(0, cx - 2 * step)..<min(w, cx + 2 * step + 1) {
                        let dy = Double(y) - centre[0], dx = Double(x) - centre[1]
                        var d = (dy * dy + dx * dx) * spatial
                        for ch in 0..<c {
                            let dv = Double(image[(y * w + x) * c + ch]) - centre[2 + ch]
                            d += dv * dv * colour
                        }
                        if d < distance[y * w + x] {
                            distance[y * w + x] = d
                            labels[y * w + x] = k
                        }
                    }
                }
            }
            var sums = [[Double]](repeating: [Double](repeating: 0, count: 2 + c), count: centres.count)
            var sizes = [Int](repeating: 0, count: centres.count)
            for p in labels.indices where labels[p] >= 0 {
                let k = labels[p]
                sums[k][0] += Double(p / w)
                sums[k][1] += Double(p % w)
                for ch in 0..<c { sums[k][2 + ch] += Double(image[p * c + ch]) }
                sizes[k] += 1
            }
            for k in centres.indices where sizes[k] > 0 { centres[k] = sums[k].map { $0 / Double(sizes[k]) } }
        }
        (self.labels, count) = Self.connected(labels, height: h, width: w, minSize: (h * w) / (2 * centres.count))
    }

    /// Relabels connected pieces (4-neighbours) in raster order; a piece smaller than
    /// `minSize` takes the label of the piece met just before its first pixel (above or left).
    private static func connected(_ labels: [Int], height h: Int, width w: Int, minSize: Int) -> ([Int], Int) {
        var out = [Int](repeating: -1, count: h * w), next = 0
        for start in 0..<(h * w) where out[start] < 0 {
            var piece = [start], i = 0
            out[start] = next
            while i < piece.count {
                let p = piece[i], (y, x) = (p / w, p % w)
                i += 1
                for (ny, nx) in [(y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1)]
                where ny >= 0 && ny < h && nx >= 0 && nx < w {
                    let q = ny * w + nx
                    if out[q] < 0 && labels[q] == labels[start] {
                        out[q] = next
                        piece.append(q)
                    }
                }
            }
            let (y, x) = (start / w, start % w)
            let before = x > 0 ? out[start - 1] : y > 0 ? out[start - w] : -1
            if piece.count < minSize && before >= 0 {
                for p in piece { out[p] = before }
            } else {
                next += 1
            }
        }
        return (out, next)
    }
}
