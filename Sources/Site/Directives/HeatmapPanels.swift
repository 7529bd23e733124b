import Common
import Explain
import Foundation
import Render

/// Draws explanations as panels (input, heatmap, overlay) with one colorbar, the way
/// every heatmap figure of the site looks.
struct HeatmapPanels {
    let colormap: Colormap
    let normalization: Normalization
    /// One value range for all maps (comparable colors) or one per map (each map's detail).
    let shared: Bool
    let scale: Int
    let alpha: Float

    /// The range each map is drawn with, and the colorbar's range and label.
    func ranges(_ maps: [Heatmap]) -> (perMap: [Normalization], bar: (low: Float, high: Float, label: String)) {
        if shared {
            let r = normalization.range(of: maps.flatMap(\.values))
            return (
                Array(repeating: .fixed(low: r.low, high: r.high), count: maps.count),
                (r.low, r.high, FigureText.t("shared_scale"))
            )
        }
        let symmetric = normalization == .symmetric
        return (
            Array(repeating: normalization, count: maps.count), (symmetric ? -1 : 0, 1, FigureText.t("per_image_scale"))
        )
    }

    /// The digit, the colored heatmap at display size, and its overlay on the digit.
    func pictures(
        image: SelectedImage, map: Heatmap, placement: MapPlacement = .identity, normalization: Normalization
    )
        -> (digit: RGBAImage, heatmap: RGBAImage, overlay: RGBAImage)
    {
        let p = HeatmapFigure(colormap: colormap, normalization: normalization, scale: scale, alpha: alpha)
            .panels(picture: image.display, map: map, placement: placement)
        return (p.digit, p.heatmap, p.overlay)
    }

    /// A lesson card for a figure that shows no heatmap of its own (a table, a live
    /// playground): the overlays of `explained` over their heatmaps, viridis, each map on
    /// its own scale, as the heatmap figures' cards look.
    static func card(_ explained: [(image: SelectedImage, explanation: Explanation)], figure: FigureBuilder) {
        guard !explained.isEmpty else { return }
        let panels = HeatmapPanels(
            colormap: Colormap.named("viridis")!, normalization: .minMax, shared: false, scale: 3, alpha: 0.5)
        let pictures = explained.map { image, e in
            panels.pictures(image: image, map: e.map.magnitude, placement: e.placement, normalization: .minMax)
        }
        figure.card(pictures.map(\.overlay) + pictures.map(\.heatmap), columns: pictures.count)
    }

    /// A table with a column per image and rows for the chosen panels, plus the colorbar.
    func figure(
        images: [SelectedImage], explanations: [Explanation], rows: [String], figure: FigureBuilder, name: String
    )
        -> (html: String, barLabel: String)
    {
        let (norms, bar) = ranges(explanations.map(\.map))
        var cells: [String: [String]] = [:]
        var overlays: [RGBAImage] = [], heatmaps: [RGBAImage] = []
        for (i, (image, e)) in zip(images, explanations).enumerated() {
            let p = pictures(image: image, map: e.map, placement: e.placement, normalization: norms[i])
            overlays.append(p.overlay)
            heatmaps.append(p.heatmap)
            let alt = "\(figure.alt) — \(image.name)"
            cells["input", default: []].append(
                figure.image(p.digit, name: "\(name)-input", alt: FigureText.t("alt_input", ["alt": alt])))
            cells["heatmap", default: []].append(
                figure.image(
                    p.heatmap, name: "\(name)-heatmap", alt: FigureText.t("alt_heatmap", ["alt": alt]), pixelated: false
                ))
            cells["overlay", default: []].append(
                figure.image(
                    p.overlay, name: "\(name)-overlay", alt: FigureText.t("alt_overlay", ["alt": alt]),
                    thumbnail: i == 0, pixelated: false))
        }
        figure.card(
            overlays.count >= 4 ? Array(overlays.prefix(4) + heatmaps.prefix(4)) : overlays + heatmaps,
            columns: min(4, max(overlays.count, 1)))
        let table = FigureLayout.panels(
            columns: zip(images, explanations).map { imageHeader($0, explanation: $1) },
            rows: rows.map { (Self.panelName[$0] ?? $0, cells[$0] ?? []) })
        let colorbar = figure.svg(
            Colorbar(colormap: colormap, low: bar.low, high: bar.high, label: bar.label).horizontalSVG(),
            name: "\(name)-colorbar",
            title: FigureText.t("colorbar_title", ["colormap": colormap.name, "scale": bar.label]))
        return (FigureLayout.withColorbarBelow(table, colorbar: colorbar), bar.label)
    }

    /// The notes every heatmap figure carries.
    func notes(extra: [String] = []) -> [String] {
        extra + [
            FigureText.t("colormap", ["name": colormap.name]),
            shared
                ? FigureText.t("normalization_shared", ["name": Self.name(of: normalization)])
                : FigureText.t("normalization_per_image", ["name": Self.name(of: normalization)]),
        ]
    }

    /// The row headers of the panels.
    static let panelName = [
        "input": FigureText.t("panel_input"), "heatmap": FigureText.t("panel_heatmap"),
        "overlay": FigureText.t("panel_overlay"),
    ]

    /// A normalization's name in the edition's words.
    static func name(of normalization: Normalization) -> String {
        switch normalization {
        case .minMax: FigureText.t("minmax")
        case .symmetric: FigureText.t("symmetric")
        case let .percentile(low, high):
            FigureText.t("percentiles", ["low": MethodParameter.format(low), "high": MethodParameter.format(high)])
        case .fixed: normalization.description
        }
    }
}

extension DirectiveOptions {
    /// The options of `HeatmapPanels`.
    /// The options of `HeatmapPanels`, shared by saliency, cam and occlusion.
    enum PanelOption {
        static let colormap = DirectiveOption(
            "colormap", "one of \(Colormap.names.joined(separator: ", "))", default: nil,
            "The colormap; diverging maps suit signed values.")
        static let normalization = DirectiveOption(
            "normalization", "one of minmax, symmetric, percentile",
            default: "symmetric for signed maps, else minmax", "How values become colors.")
        static let shared = DirectiveOption(
            "shared", "boolean", default: "false",
            "One value scale for all images (colors comparable) instead of one per image.")
        static let scale = DirectiveOption(
            "scale", "integer 1–16", default: "4, or 3 for more than four images",
            "Display pixels per input pixel.")
        static let alpha = DirectiveOption(
            "alpha", "number 0–1", default: "0.5", "Opacity of the heatmap in the overlay.")
        static let panels = DirectiveOption(
            "panels", "list of input, heatmap, overlay", default: "[input, heatmap, overlay]",
            "Which panels to show, as rows.")
    }

    func heatmapPanels(signed: Bool, defaultColormap: String, imageCount: Int) throws(SourceError) -> HeatmapPanels {
        HeatmapPanels(
            colormap: try PanelOption.colormap.colormap(self, default: defaultColormap),
            normalization: try normalization(signed: signed),
            shared: try PanelOption.shared.bool(self, default: false),
            scale: try PanelOption.scale.int(self, default: imageCount > 4 ? 3 : 4, in: 1...16),
            alpha: Float(try PanelOption.alpha.double(self, default: 0.5, in: 0...1)))
    }

    /// The panel options, the colormap's default as the directive sets it (one default,
    /// the same in the reference, the help and the figures).
    static func heatmapPanelSpecs(colormap: String) -> [OptionSpec] {
        [
            PanelOption.colormap.documented(default: colormap, PanelOption.colormap.spec.doc),
            PanelOption.normalization, PanelOption.shared, PanelOption.scale, PanelOption.alpha, PanelOption.panels,
        ].map(\.spec)
    }

    func panels() throws(SourceError) -> [String] {
        try PanelOption.panels.choices(
            self, from: ["input", "heatmap", "overlay"], default: ["input", "heatmap", "overlay"])
    }
}
