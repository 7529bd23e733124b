import Foundation
import Render

/// An author's own PNG as the model's input, prepared the way MNIST digits are: gray,
/// light strokes on a dark background, 28×28.
public enum DigitImage {
    /// Luminance composited on black, area-averaged down to `width`×`height` (bilinear
    /// sampling would skip most pixels of a large scan), and inverted when the picture is
    /// dark ink on light paper — judged by its border, which in a digit is background.
    public static func modelInput(_ image: RGBAImage, width: Int, height: Int) -> (values: [Float], inverted: Bool) {
        let (w, h) = (image.width, image.height)
        var gray = [Float](repeating: 0, count: w * h)
        image.pixels.withUnsafeBufferPointer { p in
            for i in 0..<(w * h) {
                let (r, g, b, alpha) = (Float(p[i * 4]), Float(p[i * 4 + 1]), Float(p[i * 4 + 2]), p[i * 4 + 3])
                // Transparent pixels are paper: white if the ink is dark, so composite on white
                // and let the border test invert.
                let a = Float(alpha) / 255
                gray[i] = ((0.299 * r + 0.587 * g + 0.114 * b) / 255) * a + (1 - a) * (alpha < 255 ? 1 : 0)
            }
        }
        var border: [Float] = []
        for x in 0..<w { border.append(gray[x]); border.append(gray[(h - 1) * w + x]) }
        for y in 0..<h { border.append(gray[y * w]); border.append(gray[y * w + w - 1]) }
        let inverted = border.reduce(0, +) / Float(max(border.count, 1)) > 0.5
        if inverted { gray = gray.map { 1 - $0 } }
        var out = [Float](repeating: 0, count: width * height)
        for oy in 0..<height {
            let y0 = Double(oy) * Double(h) / Double(height), y1 = Double(oy + 1) * Double(h) / Double(height)
            for ox in 0..<width {
                let x0 = Double(ox) * Double(w) / Double(width), x1 = Double(ox + 1) * Double(w) / Double(width)
                var sum = 0.0, area = 0.0
                var y = Int(y0)
                while Double(y) < y1 && y < h {
                    let wy = min(Double(y + 1), y1) - max(Double(y), y0)
                    var x = Int(x0)
                    while Double(x) < x1 && x < w {
                        let wx = min(Double(x + 1), x1) - max(Double(x), x0)
                        sum += Double(gray[y * w + x]) * wx * wy
                        area += wx * wy
                        x += 1
                    }
                    y += 1
                }
                out[oy * width + ox] = Float(area > 0 ? sum / area : 0)
            }
        }
        return (out, inverted)
    }
}
