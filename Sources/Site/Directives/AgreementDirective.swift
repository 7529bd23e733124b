import Common
import CNN
import Explain
import Foundation
import Render

/// How far several methods' maps of the same images agree (`MethodAgreement`): a matrix per
/// measure (the mean over the images), a table of each pair's mean ± standard deviation
/// beside the noise floor, and every image's values in the raw values.
struct AgreementDirective: Directive {
    static let name = "agreement"
    static let summary =
        "How far methods agree on the same images: for each pair, the rank correlation of their maps' magnitudes "
        + "(over all pixels and over the ink) and the share of their k strongest pixels in common, per image and "
        + "mean, beside what two random maps score."
    static let images = SharedOption.images.documented("The images the agreement is measured on.")
    static let top = DirectiveOption(
        "top", "integer 1–4096", default: "50", "k: how many of each map's strongest pixels the overlap compares.")
    static let measures = DirectiveOption(
        "measures", "list of \(MethodAgreement.Measure.allCases.map(\.rawValue).joined(separator: ", "))",
        default: "all",
        "The measures, one matrix each: Spearman's ρ of the magnitudes over all pixels, over the ink only, and the "
            + "top-k overlap.")
    static let colormap = DirectiveOption(
        "colormap", "a colormap name", default: "viridis", "The colormap of the matrices.")
    static let options: [OptionSpec] =
        [
            SharedOption.methods.documented(
                default: "[vanilla, integrated-gradients, gradcam, occlusion]", "The methods compared, pair by pair."
            ).spec,
            images.spec, DirectiveOptions.preprocessSpec, SharedOption.layer.spec, SharedOption.target.spec,
            top.spec, measures.spec, colormap.spec,
        ] + DirectiveOptions.parameterSpecs(MethodCatalogue.all)
    static let example = "methods: [vanilla+abs, integrated-gradients, gradcam, occlusion]\nimages: test[0:20]\ntop: 50"

    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let target: Target
    let k: Int
    let chosen: [MethodAgreement.Measure]
    let colormap: Colormap
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(
            default: ["vanilla", "integrated-gradients", "gradcam", "occlusion"], model: model)
        if methods.count < 2 {
            throw options.error("agreement compares methods pair by pair: name at least two", option: "methods")
        }
        images = try Self.images.images(options, default: "test[0:20]", classes: model.classes)
        target = try SharedOption.target.target(options, classes: model.classes)
        for method in methods { try method.checkContrast(target, options: options) }
        let pixels = model.inputShape.count == 3 ? model.inputShape[0] * model.inputShape[1] : 1
        k = try Self.top.int(options, default: min(50, pixels), in: 1...max(1, min(4096, pixels)))
        let names = MethodAgreement.Measure.allCases.map(\.rawValue)
        chosen = try Self.measures.choices(options, from: names, default: names).compactMap(
            MethodAgreement.Measure.init)
        colormap = try Self.colormap.colormap(options, default: "viridis")
        location = Self.images.location(in: options)
    }

    var inputFiles: [String] { images.files }
    var caption: String {
        "How far \(methods.map(\.title).joined(separator: ", ")) agree on \(images.text): mean rank correlation of "
            + "their maps' magnitudes and share of their \(k) strongest pixels in common, pair by pair."
    }
    var alt: String { "agreement between methods, pair by pair" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location), model = context.model
        let (h, w) = (model.inputShape[0], model.inputShape[1])
        // Every method explains the class the first one chose, so that a pair never compares
        // two classes' maps (a contrast target fixes both classes anyway).
        var maps = Array(repeating: [Heatmap](), count: methods.count)
        for image in selected {
            let first = try methods[0].explain(image, target: target, model: model)
            let fixed: Target = target.subtracted.map { .contrast(first.targetClass, $0) } ?? .class(first.targetClass)
            maps[0].append(first.mapOnInput(height: h, width: w))
            for m in methods.indices.dropFirst() {
                maps[m].append(
                    try methods[m].explain(image, target: fixed, model: model).mapOnInput(height: h, width: w))
            }
        }
        let ink = selected.map { $0.explained.gray.values.map { $0 > 0 } }
        let agreement = MethodAgreement.measure(maps, methods: methods.map(\.name), ink: ink, k: k, measures: chosen)
        let titles = methods.map(\.title)
        var charts: [String] = []
        for (i, measure) in chosen.enumerated() {
            let matrix = methods.indices.map { a in
                methods.indices.map { b in
                    a == b ? 1 : MethodAgreement.mean(agreement.pair(a, b)?.values[measure] ?? [])
                }
            }
            var chart = MatrixChart(
                values: matrix, rowLabels: titles, columnLabels: titles, colormap: colormap, rowTitle: "",
                columnTitle: "", range: (measure == .topK ? 0 : -1, 1))
            chart.labelWidth = FigureText.drawnWidth
            let svg = figure.svg(
                chart.svg(cell: 40), name: "agreement-\(measure.rawValue)",
                label: FigureText.t("agreement_svg", ["name": Self.label(measure, k: k)]), thumbnail: i == 0)
            let title = HTML.escape(Self.label(measure, k: k))
            charts.append("<div class=\"viz-cell\">\(svg)<span class=\"viz-label\">\(title)</span></div>")
        }
        let rows: [[String]] =
            agreement.pairs.map { pair in
                [titles[pair.first], titles[pair.second]]
                    + chosen.map { Self.meanAndSpread(pair.values[$0] ?? []) }
            } + [
                [FigureText.t("noise_floor"), FigureText.t("random_maps")]
                    + chosen.map { Self.format(agreement.noiseFloor[$0] ?? .nan) }
            ]
        let table = FigureLayout.table(
            header: [FigureText.t("method_column"), FigureText.t("method_column")]
                + chosen.map { Self.label($0, k: k) },
            rows: rows, numeric: Set(2..<(2 + chosen.count)))
        try figure.json(AgreementValues(agreement, images: selected.map(\.name), target: target), name: "agreement")
        let notes = [
            FigureText.t("n_images", ["n": "\(selected.count)"]), FigureText.t("compared_by_magnitude"),
            FigureText.t("agreement_same_class"), FigureText.note(target),
        ]
        return ("<div class=\"viz-row\">" + charts.joined() + "</div>\n" + table, notes)
    }

    static func label(_ measure: MethodAgreement.Measure, k: Int) -> String {
        switch measure {
        case .spearman: FigureText.t("spearman_all")
        case .inkSpearman: FigureText.t("spearman_ink")
        case .topK: FigureText.t("top_k_overlap", ["k": "\(k)"])
        }
    }

    static func meanAndSpread(_ values: [Double]) -> String {
        let (m, s) = (MethodAgreement.mean(values), MethodAgreement.standardDeviation(values))
        guard m.isFinite else { return "—" }
        return s.isFinite ? "\(format(m)) ± \(format(s))" : format(m)
    }

    /// Two decimals; a value that rounds to zero is written 0.00, not −0.00.
    static func format(_ value: Double) -> String {
        guard value.isFinite else { return "—" }
        let rounded = (value * 100).rounded() / 100
        return String(format: "%.2f", rounded == 0 ? 0 : rounded)
    }
}

/// agreement: each pair's values per image, their mean and standard deviation, and the
/// noise floor. Undefined values (a constant map) are null.
struct AgreementValues: Encodable {
    struct Result: Encodable {
        let measure: String
        let mean: Double?
        let std: Double?
        let perImage: [Double?]
    }
    struct Pair: Encodable {
        /// `first/second`, in the order of `methods`.
        let pair: String
        let methods: [String]
        let results: [Result]
    }
    struct Floor: Encodable {
        let measure: String
        let mean: Double?
    }
    let images: [String]
    let methods: [String]
    let target: String
    let k: Int
    let pairs: [Pair]
    let noiseFloor: [Floor]

    init(_ a: MethodAgreement, images: [String], target: Target) {
        func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }
        self.images = images
        methods = a.methods
        self.target = target.description
        k = a.k
        pairs = a.pairs.map { pair in
            Pair(
                pair: "\(a.methods[pair.first])/\(a.methods[pair.second])",
                methods: [a.methods[pair.first], a.methods[pair.second]],
                results: a.measures.map { measure in
                    let values = pair.values[measure] ?? []
                    return Result(
                        measure: measure.rawValue, mean: finite(MethodAgreement.mean(values)),
                        std: finite(MethodAgreement.standardDeviation(values)), perImage: values.map(finite))
                })
        }
        noiseFloor = a.measures.map { Floor(measure: $0.rawValue, mean: finite(a.noiseFloor[$0] ?? .nan)) }
    }
}
