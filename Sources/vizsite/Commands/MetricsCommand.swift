import ArgumentParser
import CNN
import Common
import Explain
import Foundation
import Site

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "Score explanation methods with explanation metrics over dataset images; print a table, write JSON.")

    @OptionGroup var model: ModelOptions

    @Option(help: "Trained weights (default: the model's own, trained once and cached in .vizsite/).")
    var weights: String?

    @Option(help: "Comma-separated methods, of: \(MethodCatalogue.namesWithAliases).")
    var methods: String = "vanilla,smoothgrad,gradcam,random,edge"

    @Option(
        help: ArgumentHelp(
            "Comma-separated metrics (Quantus's names), of: \(MetricCatalogue.names.joined(separator: ", ")).",
            discussion: "Default: all; the localisation metrics only for a model with a planted shortcut."))
    var metrics: String?

    @Option(
        help: ArgumentHelp(
            "The images of --data, selected as in lessons: SPLIT[A:B], SPLIT[N], SPLIT.class(K)[A:B] or "
                + "SPLIT.misclassified[A:B] (test[0:100])."))
    var images: String = "test[0:100]"

    @Option(help: "The layer CAM methods explain (default: the last block's output with a spatial grid).")
    var layer: String?

    @Option(help: "The scores, as JSON: {\"methods\": {method: {metric: {mean, std}}}, …}.")
    var json: String?

    func validate() throws {
        if list(methods).isEmpty {
            throw ValidationError(
                "--methods is empty; name one or more of \(MethodCatalogue.names.joined(separator: ", "))")
        }
        try checkWritable(json, option: "--json")
        for name in list(methods) where MethodCatalogue.named(name) == nil {
            let problem = MethodCatalogue.problem(with: name)
            throw ValidationError(
                "--methods: \(problem.message)" + (problem.suggestion.map { "; did you mean '\($0)'?" } ?? ""))
        }
        for name in list(metrics ?? "") where MetricCatalogue.named(name) == nil {
            let near = nearestName(to: name, in: MetricCatalogue.names).map { "; did you mean '\($0)'?" } ?? ""
            throw ValidationError("--metrics: unknown metric '\(name)'\(near)")
        }
        _ = try selection()
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// `test[0:100]`, `test.class(7)[0:100]` or `test.misclassified[0:50]` as (split,
    /// filter, range), read as image selectors are in lessons (class bounds are checked
    /// against the data later, so any number parses here).
    private func selection() throws -> (split: String, filter: ImageSelector.Filter, range: Range<Int>) {
        switch ImageSelector.parse(images, classes: .max, limit: 10_000) {
        case .success(.dataset(let split, let filter, let range)): return (split, filter, range)
        case .success:
            throw ValidationError(
                "--images: expected SPLIT[A:B], SPLIT.class(K)[A:B] or SPLIT.misclassified[A:B], as in test[0:100]")
        case .failure(let e): throw ValidationError("--images: \(e.message)")
        }
    }

    func run() throws {
        let spec = try model.load()
        let network = try model.network(spec, weights: weights)
        let (splitName, filter, range) = try selection()
        let data = try model.dataset(for: spec)
        guard let split = data.split(named: splitName) else {
            throw ValidationErrorText(
                "--images: \(data.name) has no split '\(splitName)'; it has \(data.splitNames.joined(separator: ", "))")
        }
        let set = try data.inputs(split)
        let indices: [Int]
        switch filter {
        case .all:
            indices = Array(0..<set.count)
        case .label(let k):
            guard k < network.classCount else {
                throw ValidationErrorText(
                    "--images: class \(k) is out of range; the model has classes 0…\(network.classCount - 1)")
            }
            indices = set.labels.indices.filter { set.labels[$0] == k }
        case .className(let name):
            let names = spec.sidecar.classNames ?? data.classNames
            guard let k = names.firstIndex(of: name) else {
                throw ValidationErrorText(
                    "--images: no class '\(name)'; the classes are \(names.joined(separator: ", "))")
            }
            indices = set.labels.indices.filter { set.labels[$0] == k }
        case .misclassified:
            let predictions = Evaluation(model: network, data: set).predictions
            indices = set.labels.indices.filter { set.labels[$0] != predictions[$0] }
        }
        guard range.upperBound <= indices.count else {
            throw ValidationErrorText(
                "--images: \(images) asks for up to index \(range.upperBound - 1), but \(splitName) has "
                    + "\(indices.count) matching image\(indices.count == 1 ? "" : "s")")
        }
        let selected = range.map {
            ExplainedImage(
                pixels: set.images.samples(indices[$0]..<(indices[$0] + 1)), label: set.labels[indices[$0]],
                background: data.background)
        }
        let chosen =
            metrics.map { list($0).compactMap(MetricCatalogue.named) } ?? MetricCatalogue.defaults(for: network)
        let layer = layer ?? network.defaultCAMLayer
        var results: [String: [String: MetricSummary]] = [:], seconds: [String: Double] = [:]
        var metricSeconds: [String: [String: Double]] = [:]
        let queries = ModelQueries()
        for name in list(methods).map(MethodCatalogue.canonicalName) {
            let start = Date()
            let run = try MetricRun(
                model: network, images: selected, method: MethodCatalogue.named(name)!, layer: layer,
                metrics: chosen, queries: queries)
            results[name] = run.summaries
            metricSeconds[name] = run.seconds
            seconds[name] = Date().timeIntervalSince(start)
        }
        print(table(results, metrics: chosen, seconds: seconds))
        if let json {
            try write(encode(results, metrics: chosen, count: selected.count, seconds: metricSeconds), to: json)
        }
    }

    /// Methods down, metrics across, mean ± std; ↑ or ↓ says which way is better.
    private func table(
        _ results: [String: [String: MetricSummary]], metrics: [any ExplanationMetric], seconds: [String: Double]
    ) -> String {
        let header = ["method"] + metrics.map { $0.name + ($0.higherIsBetter ? " ↑" : " ↓") } + ["seconds"]
        let rows = list(methods).map(MethodCatalogue.canonicalName).map { method in
            [method]
                + metrics.map { m in
                    let s = results[method]![m.name]!
                    return s.mean.isNaN ? "—" : String(format: "%.3f ± %.3f", s.mean, s.std)
                } + [String(format: "%.2f", seconds[method] ?? 0)]
        }
        let widths = header.indices.map { i in ([header] + rows).map { $0[i].count }.max()! }
        return ([header] + rows).map { row in
            row.enumerated().map { i, cell in cell.padding(toLength: widths[i], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }.joined(separator: "\n")
    }

    private func encode(
        _ results: [String: [String: MetricSummary]], metrics: [any ExplanationMetric], count: Int,
        seconds: [String: [String: Double]]
    ) throws -> Data {
        func number(_ x: Double) -> Double? { x.isFinite ? x : nil }
        var methods: [String: [String: MetricsReport.Summary]] = [:]
        for (method, summaries) in results {
            for (metric, s) in summaries {
                methods[method, default: [:]][metric] = MetricsReport.Summary(
                    mean: number(s.mean), std: number(s.std), ci95: number(s.ci95), count: s.count,
                    seconds: seconds[method]?[metric] ?? 0)
            }
        }
        let report = MetricsReport(
            methods: methods,
            metrics: Dictionary(
                uniqueKeysWithValues: metrics.map {
                    (
                        $0.name,
                        MetricsReport.Metric(
                            family: $0.family.rawValue, higherIsBetter: $0.higherIsBetter, settings: $0.settings)
                    )
                }),
            images: images, imageCount: count)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return try encoder.encode(report)
    }
}

/// What `vizsite metrics --json` writes: per method and metric the summary over the images,
/// per metric its family, direction and settings. Undefined values are null.
struct MetricsReport: Encodable {
    struct Summary: Encodable {
        @ExplicitNull var mean: Double?
        @ExplicitNull var std: Double?
        @ExplicitNull var ci95: Double?
        var count: Int
        var seconds: Double
    }
    struct Metric: Encodable {
        let family: String
        let higherIsBetter: Bool
        let settings: [String]

        enum CodingKeys: String, CodingKey {
            case family, settings
            case higherIsBetter = "higher_is_better"
        }
    }
    let methods: [String: [String: Summary]]
    let metrics: [String: Metric]
    let images: String
    let imageCount: Int

    enum CodingKeys: String, CodingKey {
        case methods, metrics, images
        case imageCount = "image_count"
    }
}
