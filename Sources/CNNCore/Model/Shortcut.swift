/// A mark planted on every image of one class, in every split of the data, as a watermark
/// in a real dataset would be: a shortcut the network can learn instead of the digit, and
/// a ground truth for explanations (the mark's pixels are where a faithful map of that
/// class should look). Spec: `training: {shortcut: {class: 7, size: 3, corner: top-left}}`.
public struct Shortcut: Sendable, Hashable {
    public enum Corner: String, Sendable, CaseIterable {
        case topLeft = "top-left", topRight = "top-right", bottomLeft = "bottom-left", bottomRight = "bottom-right"
    }

    /// The class whose images carry the mark.
    public var label: Int
    /// The side of the square, in pixels.
    public var size: Int
    public var corner: Corner

    public init(label: Int, size: Int = 3, corner: Corner = .topLeft) {
        self.label = label
        self.size = size
        self.corner = corner
    }

    /// The mark's pixels (row-major indices in `height × width`): a `size`×`size` square one
    /// pixel in from the corner.
    public func pixels(height h: Int, width w: Int) -> [Int] {
        let top = corner == .topLeft || corner == .topRight ? 1 : h - 1 - size
        let left = corner == .topLeft || corner == .bottomLeft ? 1 : w - 1 - size
        return (top..<top + size).flatMap { y in (left..<left + size).map { y * w + $0 } }
    }

    /// The mark as a mask over `height × width`.
    public func mask(height h: Int, width w: Int) -> [Bool] {
        var mask = [Bool](repeating: false, count: h * w)
        for p in pixels(height: h, width: w) { mask[p] = true }
        return mask
    }

    /// `set` (pictures, values in [0, 1], `[n, h, w, c]`) with the mark at full brightness
    /// in every channel of each image labelled `label`.
    public func planted(in set: Dataset) -> Dataset {
        let shape = set.images.shape, (h, w, c) = (shape[1], shape[2], shape[3]), size = h * w * c
        var scalars = set.images.scalars
        let pixels = pixels(height: h, width: w)
        for (i, label) in set.labels.enumerated() where label == self.label {
            for p in pixels { for ch in 0..<c { scalars[i * size + p * c + ch] = 1 } }
        }
        return Dataset(images: Tensor(shape: shape, scalars: scalars), labels: set.labels)
    }
}
