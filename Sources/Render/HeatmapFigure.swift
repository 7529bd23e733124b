/// The standard picture of one explanation: the input image, the colored heatmap, and
/// the heatmap over the image, side by side, each `scale` times the input size.
///
/// Digits are upscaled by pixel repetition so they stay crisp; a heatmap at a coarser
/// resolution than the input (Grad-CAM's 24×24) is resized bilinearly straight to the
/// display size, as pytorch-grad-cam resizes its CAMs, so it looks smooth.
public struct HeatmapFigure: Sendable {
    public var colormap: Colormap
    public var normalization: Normalization
    public var scale: Int
    /// Opacity of the heatmap in the overlay panel.
    public var alpha: Float
    public var spacing: Int

    public init(colormap: Colormap, normalization: Normalization, scale: Int = 8, alpha: Float = 0.5, spacing: Int = 8) {
        self.colormap = colormap
        self.normalization = normalization
        self.scale = scale
        self.alpha = alpha
        self.spacing = spacing
    }

    /// The three panels, and the value range the colormap spans (for the colorbar).
    public func render(image: Heatmap, map: Heatmap) -> (image: RGBAImage, low: Float, high: Float) {
        let (w, h) = (image.width * scale, image.height * scale)
        let digit = RGBAImage.grayscale(width: image.width, height: image.height, values: image.values).upscaled(by: scale)
        let native = map.width == image.width && map.height == image.height
        let (colored, low, high) = (native ? map : map.resized(width: image.width, height: image.height))
            .render(colormap, normalization: normalization)
        let big = native ? colored.upscaled(by: scale)
            : map.resized(width: w, height: h).render(colormap, normalization: .fixed(low: low, high: high)).image
        let overlay = digit.blended(with: big, alpha: alpha)
        return (ImageGrid(columns: 3, spacing: spacing).compose([digit, big, overlay]), low, high)
    }
}
