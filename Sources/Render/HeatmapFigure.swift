/// The standard picture of one explanation: the input image, the colored heatmap, and
/// the heatmap over the image, side by side, each `scale` times the input size.
///
/// Digits are upscaled by pixel repetition so they stay crisp; a heatmap at a coarser
/// resolution than the input (Grad-CAM's 24×24) is placed bilinearly straight at the
/// display size, so it looks smooth.
public struct HeatmapFigure: Sendable {
    public var colormap: Colormap
    public var normalization: Normalization
    public var scale: Int
    /// Opacity of the heatmap in the overlay panel.
    public var alpha: Float
    public var spacing: Int

    public init(colormap: Colormap, normalization: Normalization, scale: Int = 8, alpha: Float = 0.5, spacing: Int = 8)
    {
        self.colormap = colormap
        self.normalization = normalization
        self.scale = scale
        self.alpha = alpha
        self.spacing = spacing
    }

    /// The three panels of `map` explaining `image`, each `scale` times the input size, and
    /// the value range the colormap spans (the map's own values, at its own resolution).
    /// A map at the input's resolution is upscaled crisply; a coarser one is laid on the
    /// input by `placement`, smooth at display size. Every heatmap picture of the site and
    /// of `vizsite explain` is drawn here.
    public func panels(
        image: Heatmap, map: Heatmap, placement: MapPlacement = .identity
    )
        -> (digit: RGBAImage, heatmap: RGBAImage, overlay: RGBAImage, low: Float, high: Float)
    {
        panels(
            picture: RGBAImage.grayscale(width: image.width, height: image.height, values: image.values), map: map,
            placement: placement)
    }

    /// The same for a picture in colour (an RGB model's input as the reader sees it).
    public func panels(
        picture: RGBAImage, map: Heatmap, placement: MapPlacement = .identity
    )
        -> (digit: RGBAImage, heatmap: RGBAImage, overlay: RGBAImage, low: Float, high: Float)
    {
        let image = (width: picture.width, height: picture.height)
        let digit = picture.upscaled(by: scale)
        let range = normalization.range(of: map.values)
        let heat: RGBAImage
        if map.width == image.width && map.height == image.height && placement == .identity {
            heat = map.render(colormap, normalization: normalization).image.upscaled(by: scale)
        } else {
            let placed = map.placed(
                placement, inputWidth: image.width, inputHeight: image.height,
                width: image.width * scale, height: image.height * scale)
            heat = placed.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image
        }
        return (digit, heat, digit.blended(with: heat, alpha: alpha), range.low, range.high)
    }

    /// The three panels side by side, and the colormap's value range (for the colorbar).
    public func render(
        image: Heatmap, map: Heatmap, placement: MapPlacement = .identity
    ) -> (image: RGBAImage, low: Float, high: Float) {
        render(
            picture: RGBAImage.grayscale(width: image.width, height: image.height, values: image.values), map: map,
            placement: placement)
    }

    /// The three panels over a picture in colour.
    public func render(
        picture: RGBAImage, map: Heatmap, placement: MapPlacement = .identity
    ) -> (image: RGBAImage, low: Float, high: Float) {
        let p = panels(picture: picture, map: map, placement: placement)
        return (ImageGrid(columns: 3, spacing: spacing).compose([p.digit, p.heatmap, p.overlay]), p.low, p.high)
    }
}
