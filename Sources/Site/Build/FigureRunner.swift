import Common
import CNN
import Dispatch
import Explain
import Foundation
import Render
import Synchronization

/// Runs a plan's figures: each is looked up in the cache by its key, and the misses run
/// in parallel, one per core.
struct FigureRunner {
    let plan: BuildPlan
    let models: ModelStore
    let cache: FigureCache
    let clean: Bool
    let log: @Sendable (String) -> Void

    /// The cache key of a figure: everything that determines its output, as typed values
    /// (the directive's resolved options, the parsed model), never their source text; and
    /// the version of the numerical code.
    func key(
        _ figure: PlannedFigure, weightsKeys: inout [String: String], dataKeys: inout [String: String],
        specTexts: inout [String: String], directiveText: String? = nil,
        computeVersion: String = ComputeVersion.current
    ) -> String {
        var hash = SHA256()
        hash.update("\(FigureCache.formatVersion)\n\(computeVersion)\n\(figure.name)\n")
        hash.update((directiveText ?? CanonicalForm.text(figure.directive)) + "\n")
        // A model's canonical text is long (every layer of an imported network): once per file.
        func specText(_ path: String, _ spec: ModelSpec) -> String {
            if let known = specTexts[path] { return known }
            let text = spec.canonical
            specTexts[path] = text
            return text
        }
        hash.update(specText(figure.modelPath, figure.spec) + "\n")
        let folder = try? models.data.folder(figure.dataPath, at: figure.dataLocation)
        func weightsKey(_ path: String, _ spec: ModelSpec) -> String {
            let id = spec.needsTraining ? "\(path)|\(figure.dataPath)" : path
            // Without its training data a spec has no weights; the run reports that.
            let w = weightsKeys[id] ?? folder.map { models.weightsKey(spec, data: $0) } ?? spec.importedDigest ?? ""
            weightsKeys[id] = w
            return w
        }
        if figure.directive.needsWeights {
            hash.update("weights \(weightsKey(figure.modelPath, figure.spec))\n")
        }
        for other in figure.others {
            hash.update("other \(specText(other.path, other.spec))\nweights \(weightsKey(other.path, other.spec))\n")
        }
        let d = dataKeys[figure.dataPath] ?? folder.map { models.data.key($0, files: $0.files) } ?? ""
        dataKeys[figure.dataPath] = d
        hash.update("data \(d)\n")
        for file in figure.directive.inputFiles {
            let path = (models.paths.root as NSString).appendingPathComponent(file)
            hash.update("file \(file) \(models.digests.digest(path))\n")
        }
        return hash.finalize()
    }

    /// The cache keys of every figure of the plan, in order.
    func keys() -> [String] {
        var weightsKeys: [String: String] = [:], dataKeys: [String: String] = [:], specTexts: [String: String] = [:]
        // The options' canonical text (by reflection) is the slow part: on every core.
        let figures = plan.figures
        let directiveTexts = parallelMap(figures.count) { CanonicalForm.text(figures[$0].directive) }
        return zip(figures, directiveTexts).map { figure, text in
            key(
                figure, weightsKeys: &weightsKeys, dataKeys: &dataKeys, specTexts: &specTexts, directiveText: text)
        }
    }

    /// Each figure from the cache under its key in `keys` (from `keys()`), or computed.
    func run(keys: [String], report: inout BuildReport) throws(BuildErrors) -> [Figure] {
        var results = [Figure?](repeating: nil, count: plan.figures.count)
        var timings = [BuildReport.FigureTiming?](repeating: nil, count: plan.figures.count)
        var misses: [Int] = []
        // Editions show the same figures: each key is loaded or computed once.
        var firstWithKey: [String: Int] = [:], sameAs: [Int: Int] = [:], firsts: [Int] = []
        for (i, key) in keys.enumerated() {
            if let first = firstWithKey[key] {
                sameAs[i] = first
            } else {
                firstWithKey[key] = i
                firsts.append(i)
            }
        }
        // Cached figures are read and decoded on every core.
        let cache = self.cache, clean = self.clean, toLoad = firsts
        let loaded = parallelMap(toLoad.count) { k -> (Figure?, Double) in
            let start = Date()
            return (clean ? nil : cache.load(keys[toLoad[k]]), Date().timeIntervalSince(start))
        }
        for (i, (figure, seconds)) in zip(firsts, loaded) {
            if let figure {
                results[i] = figure
                timings[i] = .init(
                    location: plan.figures[i].location, directive: plan.figures[i].name, cached: true,
                    seconds: seconds)
            } else {
                misses.append(i)
            }
        }
        if !misses.isEmpty {
            // Train (or load) each model needed first, one at a time, so progress reads cleanly.
            var errors: [SourceError] = []
            var trained = Set<String>()
            for i in misses where plan.figures[i].directive.needsWeights {
                let figure = plan.figures[i]
                let needed =
                    [(figure.modelPath, figure.spec, figure.dataLocation, figure.modelLocation)]
                    + figure.others.map { ($0.path, $0.spec, $0.location, $0.location) }
                for (path, spec, location, reported) in needed {
                    guard trained.insert("\(path)|\(figure.dataPath)").inserted else { continue }
                    do {
                        _ = try models.model(path, spec: spec, data: figure.dataPath, at: location)
                    } catch {
                        errors.append(Self.sourceError(error, at: reported))
                    }
                }
            }
            guard errors.isEmpty else { throw BuildErrors(errors) }
            let outcomes = Outcomes(count: plan.figures.count)
            let queue = MissQueue(misses)
            let figures = plan.figures, models = self.models, log = self.log
            // Two workers: the CNN code is itself parallel, so more would only oversubscribe.
            DispatchQueue.concurrentPerform(iterations: min(2, misses.count)) { _ in
                while let i = queue.next() {
                    let start = Date()
                    let outcome = Result { try Self.compute(figures[i], key: keys[i], models: models) }
                    if case .success(let figure) = outcome { try? cache.store(figure, key: keys[i]) }
                    let seconds = Date().timeIntervalSince(start)
                    outcomes.set(
                        i, outcome.mapError { Self.sourceError($0, at: figures[i].location) }, seconds: seconds)
                    log(
                        String(
                            format: "  %@ viz %@ (%.2f s)", figures[i].location.description, figures[i].name, seconds))
                }
            }
            for i in misses {
                let (outcome, seconds) = outcomes.get(i)
                switch outcome {
                case .success(let figure): results[i] = figure
                case .failure(let error): errors.append(error)
                }
                timings[i] = .init(
                    location: plan.figures[i].location, directive: plan.figures[i].name, cached: false, seconds: seconds
                )
            }
            guard errors.isEmpty else { throw BuildErrors(errors) }
        }
        for (i, first) in sameAs {
            results[i] = results[first]
            timings[i] = .init(
                location: plan.figures[i].location, directive: plan.figures[i].name, cached: true, seconds: 0)
        }
        models.digests.save()
        report.figures = timings.compactMap { $0 }
        return results.map { $0! }
    }

    static func compute(_ planned: PlannedFigure, key: String, models: ModelStore) throws -> Figure {
        let (model, log) =
            planned.directive.needsWeights
            ? try models.model(planned.modelPath, spec: planned.spec, data: planned.dataPath, at: planned.dataLocation)
            : (planned.spec.model, nil)
        var others: [String: DirectiveContext.OtherModel] = [:]
        for other in planned.others {
            let (model, log) = try models.model(
                other.path, spec: other.spec, data: planned.dataPath, at: other.location)
            others[other.path] = .init(model: model, spec: other.spec, trainingLog: log)
        }
        let context = DirectiveContext(
            model: model, spec: planned.spec, trainingLog: log, others: others,
            data: models.data.data(planned.dataPath, for: planned.spec, at: planned.dataLocation),
            evaluate: { split in
                models.evaluation(
                    planned.modelPath, spec: planned.spec, data: planned.dataPath, split: split,
                    at: planned.dataLocation)
            }, paths: models.paths)
        // Caption and alt text are each edition's own, put in when a page shows the figure.
        let builder = FigureBuilder(kind: planned.name, alt: Figure.altToken, idPrefix: "f\(key.prefix(8))")
        let (body, notes) = try planned.directive.run(context, figure: builder)
        return builder.finish(body: body, caption: builder.caption ?? planned.directive.caption, notes: notes)
    }

    /// Any error of a directive as an error at the directive: one with a position keeps
    /// it; one that names only a file (weights, a PNG) is placed at the directive, the
    /// file named in its message.
    static func sourceError(_ error: any Error, at location: SourceLocation) -> SourceError {
        if let e = error as? BuildErrors, let first = e.errors.first { return first }
        guard let e = (error as? any SourceErrorConvertible)?.sourceError else {
            return SourceError(String(describing: error), at: location)
        }
        if e.location.line > 0 { return e }
        return e.placed(at: location)
    }
}

/// Results written by the workers.
private final class Outcomes: Sendable {
    private let values: Mutex<[(Result<Figure, SourceError>, Double)?]>
    init(count: Int) { values = Mutex(Array(repeating: nil, count: count)) }
    func set(_ i: Int, _ r: Result<Figure, SourceError>, seconds: Double) { values.withLock { $0[i] = (r, seconds) } }
    func get(_ i: Int) -> (Result<Figure, SourceError>, Double) { values.withLock { $0[i]! } }
}

/// The figures left to compute, handed out one at a time.
private final class MissQueue: Sendable {
    private let items: Mutex<[Int]>
    init(_ items: [Int]) { self.items = Mutex(items.reversed()) }
    func next() -> Int? { items.withLock { $0.popLast() } }
}
