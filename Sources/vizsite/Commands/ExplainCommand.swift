import Common
import ArgumentParser
import CNN
import Explain
import Foundation
import Render
import Site

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain one image with one method; write the figure (PNG) and the raw map (JSON).")

    /// The catalogue's methods, and the views of a layer that are not attributions.
    static let methods = ExplanationRun.views + MethodCatalogue.names

    @OptionGroup var model: ModelOptions

    @Option(help: "Trained weights (default: the model's own, trained once and cached in .vizsite/).")
    var weights: String?

    @Option(
        help: "One of: \((ExplanationRun.views + [MethodCatalogue.namesWithAliases]).joined(separator: ", ")).")
    var method: String

    @Option(help: "SPLIT:N of --data (test:0, train:5, val:3), or a PNG or JPEG file.")
    var image: String = "test:0"

    @Option(
        help: ArgumentHelp(
            "How a PNG becomes model input: mnist (background to 0, ink cropped, fitted into 20×20, centred by mass; "
                + "the default for 28×28×1 models) or resize (the whole picture area-averaged).",
            valueName: "mnist|resize"))
    var preprocess: ImagePreparation?

    @Option(
        help:
            ArgumentHelp(
                "The layer (CAM methods: any layer with a spatial grid, default the last block's output; "
                    + "filters/feature-maps: default the "
                    + "first conv; maximize: default the last layer).")
    )
    var layer: String?

    @Option(
        help: "predicted, true, a class number, or a-b to explain logit a minus logit b (maximize: the unit or class).")
    var target: String = "predicted"

    @Option(help: "A matplotlib colormap name (default viridis, or RdBu_r for signed maps).")
    var colormap: String?

    @Flag(help: "With --method vanilla: the gradient's magnitude instead of its sign (the same as --method absolute).")
    var absolute = false

    @Option(help: "SmoothGrad samples / Integrated Gradients steps / maximize steps.")
    var steps: Int?

    @Option(
        help: ArgumentHelp(
            "CAM methods: where the layer's map lies on the input: receptive-field (each value at its receptive "
                + "field's centre, the default) or stretch (over the whole input, as pytorch-grad-cam).",
            valueName: "receptive-field|stretch"))
    var upsample: Upsampling?

    @Option(
        name: .customLong("set"), parsing: .singleValue,
        help: "A method parameter as NAME=VALUE, repeatable: \(Self.parameterHelp).")
    var parameters: [String] = []

    static var parameterHelp: String {
        MethodCatalogue.all.filter { !$0.parameters.isEmpty }.map { entry in
            let parameters = entry.parameters.map { "\($0.name) (\($0.typeDescription), default \($0.defaultText))" }
            return "\(entry.name) " + parameters.joined(separator: ", ")
        }.joined(separator: "; ")
    }

    /// The method by its catalogue name (`saliency` is vanilla), with `--absolute` folded in.
    var methodName: String {
        let name = ExplanationRun.views.contains(method) ? method : MethodCatalogue.canonicalName(method)
        return name == "vanilla" && absolute ? "absolute" : name
    }

    /// `--set` values, `--steps` and `--upsample`, checked against the method's parameters.
    func settings() throws -> MethodSettings {
        var given: [(name: String, value: String, flag: String)] = []
        let entry = MethodCatalogue.named(methodName)
        let takes = { (name: String) in entry?.parameters.contains { $0.name == name } ?? false }
        if let steps {
            if takes("samples") { given.append(("samples", String(steps), "--steps")) }
            if takes("steps") { given.append(("steps", String(steps), "--steps")) }
        }
        if let upsample {
            guard takes("upsample") else {
                throw ValidationError("--upsample applies to CAM methods, not \(methodName)")
            }
            given.append(("upsample", upsample.rawValue, "--upsample"))
        }
        for item in parameters {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--set \(item): expected NAME=VALUE") }
            given.append((parts[0], parts[1], "--set \(item)"))
        }
        var settings = MethodSettings()
        let known = entry?.parameters ?? []
        for (name, value, flag) in given {
            guard let parameter = known.first(where: { $0.name == name }) else {
                let names = known.map(\.name)
                let near = nearestName(to: name, in: names).map { "; did you mean '\($0)'?" } ?? ""
                let expected = names.isEmpty ? "it takes none" : "expected one of \(names.joined(separator: ", "))"
                throw ValidationError("\(flag): \(methodName) has no parameter '\(name)'; \(expected)\(near)")
            }
            guard let canonical = parameter.canonical(value) else {
                throw ValidationError("\(flag): \(name) must be \(parameter.typeDescription), found '\(value)'")
            }
            settings[name] = canonical
        }
        return settings
    }

    @Option(help: "The PNG figure to write.")
    var out: String?

    @Option(help: "The figure with its colorbar, as SVG.")
    var svg: String?

    @Option(help: "The raw values, as JSON.")
    var json: String?

    func validate() throws {
        guard ExplanationRun.views.contains(method) || MethodCatalogue.named(method) != nil else {
            let near = nearestName(to: method, in: Self.methods).map { "; did you mean '\($0)'?" } ?? ""
            throw ValidationError("unknown method '\(method)'\(near)")
        }
        if let colormap, Colormap.named(colormap) == nil {
            let near = nearestName(to: colormap, in: Colormap.names).map { "; did you mean '\($0)'?" } ?? ""
            throw ValidationError("unknown colormap '\(colormap)'\(near)")
        }
        if Target(target) == nil {
            throw ValidationError("--target must be predicted, true, a class number or a contrast a-b")
        }
        _ = try settings()
        try checkWritable(out, option: "--out")
        try checkWritable(svg, option: "--svg")
        try checkWritable(json, option: "--json")
    }

    func run() throws {
        let spec = try model.load()
        let network = try model.network(spec, weights: weights)
        let (input, picture) = try loadImage(for: spec)
        let target = Target(target)!
        let settings = try self.settings()
        let result = try ExplanationRun(
            model: network, image: input, picture: picture, method: methodName, layer: layer,
            target: target, settings: settings, steps: steps, normalization: spec.sidecar.normalization)
        let defaultMap = result.isSigned ? "RdBu_r" : "viridis"
        let colors = Colormap.named(colormap ?? defaultMap)!
        let normalization: Normalization = result.isSigned ? .symmetric : .minMax
        if let out {
            let picture = result.picture(colormap: colors, normalization: normalization)
            try write(PNG.encode(picture), to: out)
        }
        if let svg {
            let text = result.svgFigure(colormap: colors, normalization: normalization)
            try write(Data(text.utf8), to: svg)
        }
        if let json {
            try write(result.json(normalization: normalization, imageName: image), to: json)
        }
        print(result.summary)
    }

    /// The image asked for, as input of a model whose input is `shape`, and as a picture in
    /// colour for an RGB model.
    private func loadImage(for spec: ModelSpec) throws -> (ExplainedImage, RGBAImage?) {
        let shape = spec.model.inputShape
        let parts = image.split(separator: ":", maxSplits: 1).map(String.init)
        if parts.count == 2, let index = Int(parts[1]),
            !ImageFile.extensions.contains(
                (image as NSString).pathExtension.lowercased())
        {
            let data = try model.dataset(for: spec)
            guard let split = data.split(named: parts[0]) else {
                throw ValidationErrorText(
                    "--image \(image): \(data.name) has no split '\(parts[0])'; it has "
                        + data.splitNames.joined(separator: ", "))
            }
            let set = try data.inputs(split), pictures = try data.pictures(split)
            guard (0..<set.count).contains(index) else {
                throw ValidationErrorText(
                    "--image \(image): index out of range; \(parts[0]) has images 0–\(set.count - 1)")
            }
            let picture =
                shape[2] == 1
                ? nil
                : RGBAImage(
                    unit: pictures.images.samples(index..<index + 1).scalars, width: shape[1], height: shape[0],
                    channels: shape[2])
            return (
                ExplainedImage(
                    pixels: set.images.samples(index..<index + 1), label: set.labels[index],
                    background: data.background),
                picture
            )
        }
        let input = spec.input(from: try ImageFile.read(path: image), preparation: preprocess)
        // GradientSHAP's references come from the training data even for a picture file.
        let background = try? model.dataset(for: spec).background
        return (
            ExplainedImage(pixels: Tensor(shape: [1] + shape, scalars: input.values), background: background),
            shape[2] == 1 ? nil : input.picture
        )
    }
}

extension ImagePreparation: ExpressibleByArgument {}
extension Upsampling: ExpressibleByArgument {}
