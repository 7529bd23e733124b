import Common
import CNN
import Explain
import Foundation
import Render

/// The kernels of a convolution layer: one input channel's slice on a diverging colormap,
/// or, for a first layer reading an RGB image, each filter in colour.
struct FiltersDirective: Directive {
    static let name = "filters"
    static let summary =
        "The kernels (filters) of a convolution layer, one small image per filter, signed weights on a diverging "
        + "colormap; a first layer that reads a colour image is drawn in colour."
    static let layer = DirectiveOption(
        "layer", "convolution layer name", default: "the first convolution",
        "The layer whose kernels are shown.")
    static let channel = DirectiveOption(
        "channel", "integer", default: "0",
        "The input channel of the kernels (a layer with several input channels has one kernel slice per channel). "
            + "Without it, a first layer reading an RGB image shows each filter in colour.")
    static let count = DirectiveOption(
        "count", "integer 1–512", default: "all filters", "How many filters to show, from the first.")
    static let colormap = DirectiveOption(
        "colormap", "a colormap name", default: "RdBu_r",
        "The colormap; weights are signed, so a diverging one is best.")
    static let scale = DirectiveOption("scale", "integer 1–32", default: "12", "Display pixels per kernel weight.")
    static let options = [layer, channel, count, colormap, scale].map(\.spec)
    static let example = "layer: conv2d_1\ncolormap: RdBu_r"

    let layer: String
    let channel: Int
    /// Whether each filter is drawn in colour, its three input channels as red, green, blue.
    let inColour: Bool
    let count: Int
    let colormap: Colormap
    let scale: Int

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let layer = try Self.layer.layer(
            options, model: model, requirement: .convolution, default: model.firstConvolution)
        self.layer = layer
        let conv = model.layers.first { $0.name == layer } as! Conv2D
        let shape = conv.parameterShapes[0].shape
        channel = try Self.channel.int(options, default: 0, in: 0...(shape[2] - 1))
        let index = model.layerIndex(named: layer)!
        inColour =
            options[Self.channel.name] == nil && conv.groups == 1 && model.inputs[index] == [-1]
            && model.inputShape[2] == 3
        count = try Self.count.int(options, default: shape[3], in: 1...shape[3])
        colormap = try Self.colormap.colormap(options, default: "RdBu_r")
        scale = try Self.scale.int(options, default: 12, in: 1...32)
    }

    var caption: String {
        if inColour {
            return "The \(count) kernels of \(layer) in colour, each weight a cell: its red, green and blue input "
                + "channels' weights, grey for zero, brighter for positive, darker for negative (one shared scale)."
        }
        return "The \(count) kernels of \(layer)\(channel > 0 ? " for input channel \(channel)" : ""), each weight a "
            + "cell; red is positive, blue negative, white zero (one shared symmetric scale)."
    }
    var alt: String { "convolution kernels of \(layer)" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        if inColour { return try runInColour(context, figure: figure) }
        let kernels = try Filters.kernels(of: context.model, layer: layer).prefix(count).map { $0[channel] }
        let range = Normalization.symmetric.range(of: kernels.flatMap(\.values))
        let pictures = kernels.map {
            $0.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image.upscaled(by: scale)
        }
        let grid = grid(pictures, colour: false, figure: figure)
        let bar = figure.svg(
            Colorbar(colormap: colormap, low: range.low, high: range.high, label: FigureText.t("weight")).svg(
                height: 140),
            name: "filters-colorbar", title: FigureText.t("colorbar_named", ["colormap": FigureText.t("kernel_weight")])
        )
        let biases = context.model.parameters["\(layer)/bias"]?.scalars.prefix(count).map(Double.init)
        let dead = neverFiring(context)
        try figure.json(
            FiltersValues(
                layer: layer, inputChannel: channel, kernels: kernels.map(MapValues.init), biases: biases,
                neverFire: dead),
            name: "filters-\(layer)")
        var notes = [
            FigureText.t("colormap", ["name": colormap.name]),
            FigureText.t("symmetric_shared_range", ["peak": String(format: "%.3g", Double(range.high))]),
        ]
        if let dead, !dead.isEmpty {
            notes.append(FigureText.t("never_positive", ["units": dead.map(String.init).joined(separator: ", ")]))
        }
        return (FigureLayout.withColorbar(grid, colorbar: bar), notes)
    }

    /// For a convolution reading the model's input as plain pixels in [0, 1]: the filters
    /// whose largest possible output, its positive weights plus its bias, is at most zero —
    /// with a ReLU they never fire, and so never learn. Nil for other layers.
    private func neverFiring(_ context: DirectiveContext) -> [Int]? {
        let model = context.model
        guard let index = model.layerIndex(named: layer), model.inputs[index] == [-1],
            context.spec.sidecar.normalization == .standard,
            let conv = model.layers[index] as? Conv2D, conv.activation == .relu,
            let kernel = model.parameters["\(layer)/kernel"]
        else { return nil }
        let filters = conv.filters, bias = model.parameters["\(layer)/bias"]?.scalars
        let rows = kernel.count / filters
        return (0..<min(filters, count)).filter { f in
            let positive = (0..<rows).reduce(Float(0)) { $0 + max(kernel.scalars[$1 * filters + f], 0) }
            return positive + (bias?[f] ?? 0) <= 0
        }
    }

    /// Each filter as one RGB picture: 0.5 + 0.5 · w / max|w| per channel, in the model's
    /// channel order (BGR models' kernels are shown as RGB).
    private func runInColour(
        _ context: DirectiveContext, figure: FigureBuilder
    ) throws -> (body: String, notes: [String]) {
        let kernels = try Filters.kernels(of: context.model, layer: layer).prefix(count)
        let order = context.spec.sidecar.normalization.bgr ? [2, 1, 0] : [0, 1, 2]
        let peak = max(kernels.flatMap { $0.flatMap(\.values) }.map(abs).max() ?? 1, 1e-12)
        let pictures = kernels.map { slices -> RGBAImage in
            let (w, h) = (slices[0].width, slices[0].height)
            let pixels = (0..<(w * h)).flatMap { p in
                order.map { c in UInt8(clamping: Int((127.5 + 127.5 * slices[c].values[p] / peak).rounded())) } + [255]
            }
            return RGBAImage(width: w, height: h, pixels: pixels).upscaled(by: scale)
        }
        let grid = grid(pictures, colour: true, figure: figure)
        try figure.json(
            ColourFiltersValues(
                layer: layer, channelOrder: order == [0, 1, 2] ? "rgb" : "bgr", scale: Double(peak),
                kernels: kernels.map { $0.map(MapValues.init) }),
            name: "filters-\(layer)")
        return (grid, [FigureText.t("colour_shared_range", ["peak": String(format: "%.3g", Double(peak))])])
    }

    /// The filters' pictures as a numbered grid, the first ones also as the lesson card.
    private func grid(_ pictures: [RGBAImage], colour: Bool, figure: FigureBuilder) -> String {
        let cells = pictures.enumerated().map { i, picture -> (html: String, label: String) in
            (
                figure.image(
                    picture, name: "filter-\(layer)",
                    alt: colour
                        ? FigureText.t("alt_kernel_colour", ["k": "\(i)", "layer": layer])
                        : FigureText.t("alt_kernel", ["k": "\(i)", "layer": layer])), "\(i)"
            )
        }
        figure.card(pictures, columns: 8)
        return FigureLayout.grid(cells)
    }
}
