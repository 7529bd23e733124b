import Common
import CNN
import Explain
import Foundation
import Render

/// One directive block of a lesson, checked and ready to run.
struct PlannedFigure: Sendable {
    let lesson: Int
    let directive: any Directive
    let name: String
    /// Where the directive's fence is, and where its `model` option is (or the fence).
    let location: SourceLocation
    let modelLocation: SourceLocation
    let modelPath: String
    let spec: ModelSpec
    /// The dataset folder it selects images from, and where that was named (or the fence).
    let dataPath: String
    let dataLocation: SourceLocation
    let caption: String?
    /// Where the lesson's `caption:` text starts, for errors in its `{{fig:…}}` references.
    var captionLocation: SourceLocation? = nil
    let alt: String?
    /// The name prose refers to the figure by (`{{fig:name}}`), and where it is given.
    var label: String? = nil
    var labelLocation: SourceLocation? = nil
    /// The author's layout tier (`body`, `page`, `screen`), nil for one that fits the content.
    var layout: String? = nil
    /// The models the directive compares its own with (`Directive.otherModels`).
    var others: [OtherModel] = []
    /// What is valid but probably not meant (`Directive.problems`).
    var warnings: [SourceError] = []

    /// A model a figure compares with its own, checked to take the same input and classes.
    struct OtherModel: Sendable {
        let path: String
        let location: SourceLocation
        let spec: ModelSpec
    }
}

/// A lesson parsed: its Markdown rendered with placeholders, and its directives checked.
struct PlannedLesson: Sendable {
    let lesson: Lesson
    /// The language of the edition it belongs to.
    var language: String = ""
    let html: String
    let headings: [Heading]
    let figures: [Int]
    /// The hidden figure computing the lesson's `{{values}}`, if it quotes any.
    let values: Int?
    /// Labels of the lesson's figures that failed their checks: still names prose may use,
    /// so that one mistake is reported once, at the figure.
    var failedLabels: [String] = []
    /// The Python boxes, by their placeholders' numbers.
    var snippets: [PlannedSnippet] = []
    /// The `::: figures` groups, by their markers' numbers.
    var groups: [FigureGroupBlock] = []
    /// The works its reference list shows: those it cites and those its `nocite:` names.
    var cited: [String] = []

    /// Each figure's number ("5a" in a group) and each group's.
    var numbers: (figures: [FigureNumber], groups: [Int]) {
        FigureGroupBlock.numbers(figures: figures.count, groups: groups)
    }
}

/// Reads every lesson's Markdown and checks every directive against its model, collecting
/// all errors before anything runs.
struct BuildPlan: Sendable {
    /// Every edition's lessons: the default edition's first, in order, then each other's.
    var lessons: [PlannedLesson] = []
    var figures: [PlannedFigure] = []
    /// The pages of each edition, the default first.
    var editions: [EditionPages] = []
    /// The labelled figures, for `{{fig:label}}` references.
    var references = FigureReferences()
    /// What is valid but probably not meant: figures that would publish something
    /// meaningless, code fences never closed. Each reported once.
    var warnings: [SourceError] = []
    /// Every snippet file the boxes show, in each edition's wording (for `make check-snippets`).
    var snippetVariants: [SnippetVariant] = []
    /// How prose names each work of the bibliography ("Selvaraju et al., 2017"), and the works.
    var citationLabels: [String: Citations.Label] = [:]
    var bibliography = Bibliography()

    /// Looks up the model spec a directive names (path relative to the content folder).
    typealias SpecLookup = (_ path: String, _ at: SourceLocation) throws(SourceError) -> ModelSpec
    /// Checks that a dataset folder a directive names exists and holds a dataset, and
    /// returns its splits and class names (nil when not known before the build runs).
    typealias DataCheck = (_ path: String, _ at: SourceLocation) throws(SourceError) -> (
        splits: [String], classes: [String], counts: [String: Int]
    )?

    init(content: SiteContent, models: ModelStore) throws(BuildErrors) {
        try self.init(
            content: content, spec: { path, at throws(SourceError) in try models.spec(path, at: at) },
            data: { path, at throws(SourceError) in
                let folder = try models.data.folder(path, at: at)
                return (folder.splitNames, folder.classNames, try models.data.splitCounts(path, at: at))
            })
    }

    init(
        content: SiteContent, spec: SpecLookup, data: DataCheck = { _, _ throws(SourceError) in nil }
    ) throws(BuildErrors) {
        var errors: [SourceError] = []
        let originals = Dictionary(content.lessons.map { ($0.fileName, $0) }, uniquingKeysWith: { a, _ in a })
        let written = content.config.editions.flatMap { edition in
            content.lessons(in: edition.language).map { lesson in
                (language: edition.language, lesson: originals[lesson.fileName].map(lesson.inheriting) ?? lesson)
            }
        }
        editions = EditionPages.pages(of: content.config.editions, lessons: written)
        bibliography = content.bibliography
        citationLabels = Citations.labels(bibliography)
        var snippetResolver: SnippetResolver?
        do { snippetResolver = try SnippetResolver(content: content) } catch { errors.append(error) }
        for (lessonIndex, (language, lesson)) in written.enumerated() {
            let edition = editions.first { $0.edition.language == language }!
            let slugs = edition.slugsByFileName(lessons: written.map(\.lesson)).mapValues {
                edition.edition.prefix + $0
            }
            var unknownLessons: [String] = [], imageLinks: [String] = []
            let document = MarkdownDocument(
                lesson.body, lineOffset: lesson.bodyLineOffset,
                smart: content.config.smartPunctuation, unsafe: content.config.unsafeHTML
            ) { url in
                let rewritten = Self.rewrite(url, slugs: slugs)
                // (Called on entering and on leaving a link: each name is reported once.)
                if rewritten == nil, let name = Self.lessonFileName(url), !unknownLessons.contains(name) {
                    unknownLessons.append(name)
                }
                if let image = Self.imageLinkPath(url), !imageLinks.contains(image) { imageLinks.append(image) }
                return rewritten
            }
            for problem in document.mathErrors {
                errors.append(
                    SourceError(
                        problem.message,
                        at: SourceLocation(file: lesson.file, line: problem.line, column: problem.column),
                        suggestion: problem.suggestion))
            }
            for problem in document.groupErrors {
                errors.append(
                    SourceError(
                        problem.message,
                        at: SourceLocation(file: lesson.file, line: problem.line, column: problem.column)))
            }
            for name in unknownLessons {
                errors.append(
                    SourceError(
                        "link to '\(name)', which is not a lesson of this site",
                        at: Self.location(ofLink: name, in: lesson),
                        suggestion: nearestName(to: (name as NSString).lastPathComponent, in: Array(slugs.keys))))
            }
            // Linked pictures are copied from Content/images/: each must be a file there.
            for image in imageLinks {
                let at = Self.location(ofLink: image, in: lesson)
                do {
                    let real = try content.paths.resolve(image, at: at)
                    _ = try ConfinedFile(real, inside: nil)
                } catch let error as SourceError {
                    errors.append(error)
                } catch let error as ConfinedFile.Failure {
                    errors.append(
                        SourceError("link to '\(image)': " + error.reason(folder: "the content folder"), at: at))
                } catch {
                    errors.append(SourceError("link to '\(image)': \(error)", at: at))
                }
            }
            if let fence = MarkdownDocument.unclosedFence(in: lesson.body) {
                warnings.append(
                    .warning(
                        "this code fence is never closed: everything after it, to the end of the file, is code",
                        at: SourceLocation(
                            file: lesson.file, line: lesson.bodyLineOffset + fence.line, column: fence.column)))
            }
            for (line, column) in document.inlinePython {
                warnings.append(
                    .warning(
                        "Python written in the lesson is run by nothing: put it in a file beside the lessons and "
                            + "show it with --8<-- \"\((lesson.fileName as NSString).deletingPathExtension)/name.py\", "
                            + "so make check-snippets runs it",
                        at: SourceLocation(file: lesson.file, line: line, column: column)))
            }
            let (cited, citationErrors) = Self.citations(of: lesson, bibliography: bibliography, content: content)
            errors += citationErrors
            var snippets: [PlannedSnippet] = []
            for block in document.snippets {
                do throws(SourceError) {
                    guard let resolved = try snippetResolver?.resolve(block, lesson: lesson, language: language) else {
                        continue
                    }
                    snippets.append(resolved)
                } catch {
                    errors.append(error)
                }
            }
            var indices: [Int] = [], failedLabels: [String] = []
            for block in document.directives {
                do {
                    let figure = try Self.plan(
                        block, lesson: lesson, lessonIndex: lessonIndex, content: content, spec: spec, data: data)
                    indices.append(figures.count)
                    figures.append(figure)
                    warnings += figure.warnings.filter { !warnings.contains($0) }
                } catch {
                    errors.append(error)
                    indices.append(-1)
                    if let label = Self.label(of: block, in: lesson.file) { failedLabels.append(label) }
                }
            }
            var values: Int?
            let tokens = InlineValues.tokens(in: lesson.body, lineOffset: lesson.bodyLineOffset).filter {
                !$0.name.hasPrefix(FigureReferences.prefix)
            }
            let known = InlineValues.names.map(\.name)
            for token in tokens where !known.contains(token.name) {
                errors.append(
                    SourceError(
                        "unknown value '{{\(token.name)}}'; expected one of \(known.joined(separator: ", "))",
                        at: SourceLocation(file: lesson.file, line: token.line, column: token.column),
                        suggestion: (nearestName(to: token.name, in: known)
                            ?? nearestName(to: "test_" + token.name, in: known)).map { "{{\($0)}}" }))
            }
            if !tokens.isEmpty {
                do {
                    let at = SourceLocation(file: lesson.file, line: 1, column: 1)
                    let options = try DirectiveOptions(
                        directive: InlineValues.name, body: "", specs: [], file: lesson.file, fenceLine: 1, column: 1)
                    let modelPath = lesson.model ?? content.config.model
                    let modelLocation = (lesson.model != nil ? lesson.modelLocation : nil) ?? at
                    let modelSpec = try spec(modelPath, modelLocation)
                    // What vizsite cannot know about a model it did not train is an error, not a guess.
                    if !modelSpec.needsTraining, let epochs = tokens.first(where: { $0.name == "epochs" }) {
                        let why = modelSpec.isImported ? "it is imported" : "its weights are given"
                        errors.append(
                            SourceError(
                                "{{epochs}} counts the epochs vizsite trained \(modelPath) for, and it did not "
                                    + "train it (\(why)); write the number in the prose",
                                at: SourceLocation(file: lesson.file, line: epochs.line, column: epochs.column)))
                    }
                    let dataPath = lesson.data ?? content.config.defaultData
                    let found =
                        lesson.data ?? content.config.data != nil ? try data(dataPath, at) : try? data(dataPath, at)
                    try Self.checkClasses(
                        found?.classes, of: dataPath, model: modelSpec, path: modelPath, at: modelLocation)
                    values = figures.count
                    figures.append(
                        PlannedFigure(
                            lesson: lessonIndex, directive: try InlineValues(options, model: modelSpec.model),
                            name: InlineValues.name,
                            location: at, modelLocation: at, modelPath: modelPath, spec: modelSpec,
                            dataPath: dataPath, dataLocation: at, caption: nil, alt: nil))
                } catch {
                    errors.append(error)
                }
            }
            lessons.append(
                PlannedLesson(
                    lesson: lesson, language: language, html: document.html(), headings: document.headings,
                    figures: indices, values: values, failedLabels: failedLabels, snippets: snippets,
                    groups: document.groups, cited: cited))
        }
        if let snippetResolver {
            warnings += snippetResolver.warnings + snippetResolver.unusedTranslations()
            snippetVariants = snippetResolver.variants
        }
        let (references, problems) = FigureReferences.collect(self)
        self.references = references
        errors += problems
        // One mistake reached by several directives (a lesson's model: that cannot be read)
        // is reported once, where it was written.
        var seen: Set<String> = []
        errors = errors.filter { seen.insert($0.description).inserted }
        guard errors.isEmpty else { throw BuildErrors(errors) }
        // An edition that stands in for a translation reports its original's warnings again.
        seen = []
        warnings = warnings.filter { seen.insert($0.description).inserted }
    }

    /// The works a lesson's reference list shows (its citations' keys, then its `nocite:`),
    /// and its citations of keys the bibliography does not have.
    static func citations(
        of lesson: Lesson, bibliography: Bibliography, content: SiteContent
    ) -> (keys: [String], errors: [SourceError]) {
        var keys: [String] = [], errors: [SourceError] = []
        let file = content.paths.display(SiteContent.bibliographyFile)
        func check(_ key: String, at location: SourceLocation) {
            guard bibliography[key] != nil else {
                if content.bibliographyFailed { return }  // reported where the file is wrong
                errors.append(
                    SourceError(
                        bibliography.entries.isEmpty
                            ? "citation '@\(key)', but there is no bibliography: add the work to \(file) (BibTeX)"
                            : "no work in \(file) has the key '\(key)'",
                        at: location, suggestion: nearestName(to: key, in: bibliography.keys).map { "@" + $0 }))
                return
            }
            if !keys.contains(key) { keys.append(key) }
        }
        for citation in Citations.find(in: lesson.body, lineOffset: lesson.bodyLineOffset) {
            let at = SourceLocation(file: lesson.file, line: citation.line, column: citation.column)
            for item in citation.items { check(item.key, at: at) }
        }
        let at = lesson.nociteLocation ?? SourceLocation(file: lesson.file, line: 1, column: 1)
        for key in lesson.nocite {
            if key == "*" {
                keys += bibliography.keys.filter { !keys.contains($0) }
            } else {
                check(key, at: at)
            }
        }
        return (keys, errors)
    }

    /// The `label:` a directive block gives, read leniently (for a block whose checks failed).
    private static func label(of block: DirectiveBlock, in file: String) -> String? {
        guard let yaml = try? YAMLValue.parse(block.body, file: file), let mapping = try? yaml.mapping() else {
            return nil
        }
        return try? mapping["label"]?.string()
    }

    private static func plan(
        _ block: DirectiveBlock, lesson: Lesson, lessonIndex: Int, content: SiteContent,
        spec lookup: SpecLookup, data check: DataCheck
    ) throws(SourceError) -> PlannedFigure {
        let at = SourceLocation(file: lesson.file, line: block.line, column: block.column)
        guard !block.name.isEmpty else {
            throw SourceError(
                "a viz block needs a directive name after 'viz', one of "
                    + "\(DirectiveRegistry.names.joined(separator: ", "))",
                at: at)
        }
        guard let type = DirectiveRegistry.named(block.name) else {
            throw SourceError(
                "unknown directive '\(block.name)'; expected one of \(DirectiveRegistry.names.joined(separator: ", "))",
                at: SourceLocation(file: lesson.file, line: block.line, column: block.column + 7),
                suggestion: nearestName(to: block.name, in: DirectiveRegistry.names) ?? methodDirective(block.name))
        }
        guard block.extra.isEmpty else {
            throw SourceError(
                "unexpected '\(block.extra)' after 'viz \(block.name)'; options go in the block, one per line", at: at)
        }
        var options = try DirectiveOptions(
            directive: block.name, body: block.body, specs: type.options,
            file: lesson.file, fenceLine: block.line, column: block.column)
        let modelPath = try CommonOption.model.string(options) ?? lesson.model ?? content.config.model
        let modelLocation =
            options[CommonOption.model.name]?.location ?? (lesson.model != nil ? lesson.modelLocation : nil) ?? at
        let spec = try lookup(modelPath, modelLocation)
        let named = try CommonOption.data.string(options) ?? lesson.data ?? content.config.data
        let dataPath = named ?? content.config.defaultData
        let dataLocation = options[CommonOption.data.name]?.location ?? at
        // A folder named must be a dataset; the tutorial's own MNIST is required only when a
        // figure reads it.
        let found = named != nil ? try check(dataPath, dataLocation) : (try? check(dataPath, dataLocation)) ?? nil
        try Self.checkClasses(found?.classes, of: dataPath, model: spec, path: modelPath, at: modelLocation)
        options.splitNames = found?.splits
        options.splitCounts = found?.counts
        options.modelPath = modelPath
        options.checkPicture = { path, at throws(SourceError) in
            let real = try content.paths.resolve(path, at: at)
            do throws(SourceError) {
                _ = try ImageFile.read(path: real, displayPath: content.paths.display(path))
            } catch {
                throw error.placed(at: at)
            }
        }
        // Classes are named by the sidecar, else by the data when it has the model's count.
        let classes = spec.sidecar.classNames ?? found?.classes
        options.classNames =
            classes?.count == spec.model.classCount && classes != (0..<spec.model.classCount).map(String.init)
            ? classes : nil
        let directive = try type.init(options, model: spec.model)
        var others: [PlannedFigure.OtherModel] = []
        for reference in directive.otherModels {
            let other = try lookup(reference.path, reference.location)
            guard other.model.inputShape == spec.model.inputShape, other.model.classCount == spec.model.classCount
            else {
                throw SourceError(
                    "\(reference.path) takes \(other.model.inputShape) inputs into \(other.model.classCount) classes, "
                        + "but \(modelPath) takes \(spec.model.inputShape) into \(spec.model.classCount); their maps "
                        + "cannot be compared", at: reference.location)
            }
            others.append(.init(path: reference.path, location: reference.location, spec: other))
        }
        let label = try CommonOption.label.string(options)
        let labelLocation = options[CommonOption.label.name]?.location
        if let label, let labelLocation, !FigureReferences.isValid(label) {
            throw SourceError(
                "label '\(label)' must be letters, digits, '-' and '_', starting with a letter or digit",
                at: labelLocation)
        }
        var planned = PlannedFigure(
            lesson: lessonIndex, directive: directive, name: block.name, location: options.location,
            modelLocation: modelLocation, modelPath: modelPath, spec: spec, dataPath: dataPath,
            dataLocation: dataLocation,
            caption: try CommonOption.caption.string(options),
            captionLocation: options[CommonOption.caption.name]?.location, alt: try CommonOption.alt.string(options),
            label: label, labelLocation: labelLocation,
            layout: options[CommonOption.layout.name] == nil
                ? nil : try CommonOption.layout.choice(options, from: CommonOption.layouts, default: "body"),
            others: others)
        let problems = directive.problems(model: spec, others: others.map(\.spec))
        if let error = problems.first(where: { !$0.isWarning }) { throw error }
        planned.warnings = problems + (Self.camLayerWarning(spec).map { [$0] } ?? [])
        return planned
    }

    /// A warning at a sidecar's `cam_layer` that lies inside a block: a path around it (a
    /// skip connection, a parallel branch) carries evidence that a CAM there never sees.
    static func camLayerWarning(_ spec: ModelSpec) -> SourceError? {
        let model = spec.model
        guard let name = spec.sidecar.camLayer, let at = spec.sidecar.camLayerLocation,
            let index = model.layerIndex(named: name)
        else { return nil }
        let onEveryPath = model.layersOnEveryPath
        guard !onEveryPath[index] else { return nil }
        let blockOutput = model.layers.indices.first {
            $0 > index && onEveryPath[$0] && model.layers[$0].outputShape.count == 3
        }
        return .warning(
            "cam_layer '\(name)' is inside a block: a path around it (a skip connection or a parallel branch) "
                + "carries what a CAM there never sees; name a block's output",
            at: at, suggestion: blockOutput.map { model.layers[$0].name })
    }

    /// A model is evaluated and explained on data whose labels are its classes: a dataset
    /// with more classes than the model has outputs (a 5-class model on the ten digits)
    /// would be scored against classes it cannot predict.
    static func checkClasses(
        _ classes: [String]?, of dataPath: String, model spec: ModelSpec, path: String, at location: SourceLocation
    ) throws(SourceError) {
        guard let classes, classes.count > spec.model.classCount else { return }
        throw SourceError(
            "\(path) predicts \(spec.model.classCount) classes, but \(dataPath) has \(classes.count); give the lesson "
                + "data: with the model's own classes", at: location)
    }

    /// The lesson file a relative link names (`06-saliency.md`, `06-saliency.md#x`), if any.
    /// (`sub/x.md` and `../x.md` too: a lesson is found by its file name.)
    static func lessonFileName(_ url: String) -> String? {
        if url.contains(":") || url.hasPrefix("/") || url.hasPrefix("#") { return nil }
        let path = String(url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
        guard path.hasSuffix(".md") else { return nil }
        return path
    }

    /// The file under the content folder an `images/…` link names (`images/a.png`), if any.
    static func imageLinkPath(_ url: String) -> String? {
        if url.contains(":") || url.hasPrefix("/") || url.hasPrefix("#") { return nil }
        let path = String(url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
        for prefix in ["images/", "./images/", "../images/"] where path.hasPrefix(prefix) {
            return "images/" + path.dropFirst(prefix.count)
        }
        return nil
    }

    /// Where a link to `name` is written in `lesson` (cmark does not place inline nodes):
    /// its first `](name`, or the start of the body.
    static func location(ofLink name: String, in lesson: Lesson) -> SourceLocation {
        for (i, line) in lesson.body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let range = line.range(of: "](" + name) {
                let column = line.distance(from: line.startIndex, to: range.lowerBound) + 3
                return SourceLocation(file: lesson.file, line: lesson.bodyLineOffset + i + 1, column: column)
            }
        }
        return SourceLocation(file: lesson.file, line: lesson.bodyLineOffset + 1, column: 1)
    }

    /// The directive of a method name used as a directive (`viz gradcam` → `cam`).
    static func methodDirective(_ name: String) -> String? {
        switch MethodCatalogue.named(name)?.family {
        case .cam: "cam"
        case .gradient: "saliency"
        case .perturbation: "occlusion"
        case .baseline: "compare"
        case .attention, nil: nil
        }
    }

    /// Links between lessons (`03-filters.md#section`) become page links; `images/…` is
    /// served from the output's `images/`. Both relative to the page.
    static func rewrite(_ url: String, slugs: [String: String]) -> String? {
        if url.contains(":") || url.hasPrefix("/") || url.hasPrefix("#") || url.hasPrefix("//") { return nil }
        let parts = url.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let path = String(parts[0]), fragment = parts.count > 1 ? "#" + parts[1] : ""
        let name = (path as NSString).lastPathComponent
        if let slug = slugs[name] { return Figure.root + slug + "/" + fragment }
        if path.hasPrefix("images/") || path.hasPrefix("./images/") || path.hasPrefix("../images/") {
            return Figure.root + "images/"
                + path.components(separatedBy: "images/").dropFirst().joined(separator: "images/") + fragment
        }
        return nil
    }
}
