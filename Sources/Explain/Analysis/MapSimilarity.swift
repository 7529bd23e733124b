import Foundation
import Render

/// How alike two maps of the same image are, in the four ways Adebayo et al. (2018)
/// compare a trained model's map with a randomized model's. Maps are compared by their
/// magnitudes, as they do for signed methods.
public enum MapSimilarity: String, Sendable, CaseIterable {
    /// Spearman's rank correlation over every pixel.
    case spearman
    /// Spearman's rank correlation over the pixels where the input has ink. A method whose
    /// map is zero wherever the input is zero (Integrated Gradients, input × gradient) keeps
    /// a high correlation over all pixels whatever the weights; over the ink it does not.
    case inkSpearman = "ink-spearman"
    /// The structural similarity index of the maps scaled to [0, 1] by their largest
    /// magnitude (7×7 windows, as scikit-image computes it).
    case ssim
    /// Pearson's correlation of the maps' histograms of oriented gradients (`HOGFeatures`).
    case hog

    /// The similarity of `a` and `b` (same size); `ink` marks the input's non-zero pixels.
    /// NaN where it is undefined (a constant map, or fewer than two inked pixels).
    public func callAsFunction(_ a: Heatmap, _ b: Heatmap, ink: [Bool]) -> Double {
        precondition(a.values.count == b.values.count && ink.count == a.values.count)
        let x = a.values.map(abs), y = b.values.map(abs)
        switch self {
        case .spearman:
            return Self.rankCorrelation(x, y)
        case .inkSpearman:
            let kept = ink.indices.filter { ink[$0] }
            guard kept.count > 1 else { return .nan }
            return Self.rankCorrelation(kept.map { x[$0] }, kept.map { y[$0] })
        case .ssim:
            return StructuralSimilarity.mean(
                MetricMath.byMax(x), MetricMath.byMax(y), width: a.width, height: a.height)
        case .hog:
            let fx = HOGFeatures(MetricMath.byMax(x), width: a.width, height: a.height).values
            let fy = HOGFeatures(MetricMath.byMax(y), width: b.width, height: b.height).values
            return MetricMath.pearson(fx, fy)
        }
    }

    /// Spearman's ρ, NaN when either side is constant (not 0: "undefined" must not read as
    /// "unrelated" in an average).
    private static func rankCorrelation(_ a: [Float], _ b: [Float]) -> Double {
        guard Set(a).count > 1, Set(b).count > 1 else { return .nan }
        return Explain.spearman(a, b)
    }
}

/// Histogram of oriented gradients (Dalal & Triggs, 2005) as scikit-image's `hog` computes
/// it for one channel: central-difference gradients (0 on the border rows and columns),
/// each pixel's magnitude voted into one of `orientations` unsigned bins over 0–180°, the
/// votes averaged per `cell`×`cell` cell, and each block of 2×2 cells normalized by L2-Hys
/// (L2, clipped at 0.2, L2 again); the blocks' values concatenated.
struct HOGFeatures {
    let values: [Double]

    init(_ image: [Double], width w: Int, height h: Int, orientations: Int = 9, cell: Int = 4) {
        let (cellsY, cellsX) = (h / cell, w / cell)
        var histogram = [Double](repeating: 0, count: cellsY * cellsX * orientations)
        for y in 0..<(cellsY * cell) {
            for x in 0..<(cellsX * cell) {
                let gy = y > 0 && y < h - 1 ? image[(y + 1) * w + x] - image[(y - 1) * w + x] : 0
                let gx = x > 0 && x < w - 1 ? image[y * w + x + 1] - image[y * w + x - 1] : 0
                let magnitude = (gx * gx + gy * gy).squareRoot()
                guard magnitude > 0 else { continue }
                // Unsigned: in [0, 180), as numpy's `% 180` folds it (−180° and 180° are 0°).
                var angle = (atan2(gy, gx) * 180 / .pi).truncatingRemainder(dividingBy: 180)
                if angle < 0 { angle += 180 }
                if angle >= 180 { angle = 0 }
                let bin = min(Int(angle / (180 / Double(orientations))), orientations - 1)
                histogram[((y / cell) * cellsX + x / cell) * orientations + bin] += magnitude / Double(cell * cell)
            }
        }
        var features: [Double] = []
        for by in 0..<max(cellsY - 1, 0) {
            for bx in 0..<max(cellsX - 1, 0) {
                var block: [Double] = []
                for (dy, dx) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
                    let start = ((by + dy) * cellsX + bx + dx) * orientations
                    block += histogram[start..<start + orientations]
                }
                let eps = 1e-5
                var norm = (block.reduce(0) { $0 + $1 * $1 } + eps * eps).squareRoot()
                block = block.map { min($0 / norm, 0.2) }
                norm = (block.reduce(0) { $0 + $1 * $1 } + eps * eps).squareRoot()
                features += block.map { $0 / norm }
            }
        }
        values = features
    }
}
