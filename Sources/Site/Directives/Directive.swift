import Common
import CNN
import Foundation

/// A visualization a lesson embeds as a fenced block (```` ```viz NAME ````).
///
/// A directive is a thin adapter: it checks its options when the lesson is loaded (so a
/// build with errors reports them all before computing anything), and when run it calls
/// `Explain`, draws with `Render`, and returns the figure's HTML and files.
protocol Directive: Sendable {
    /// The name after `viz` in the info string.
    static var name: String { get }
    /// One sentence for the directive reference.
    static var summary: String { get }
    /// The options it takes, besides `caption`, `alt` and `model`.
    static var options: [OptionSpec] { get }
    /// An example block body (YAML), shown in the reference.
    static var example: String { get }

    /// Reads the options and checks them against the model's structure (layers, classes).
    init(_ options: DirectiveOptions, model: Model) throws(SourceError)

    /// A caption describing what the figure shows, used unless the lesson gives one.
    var caption: String { get }
    /// Alt text for its images, used unless the lesson gives one.
    var alt: String { get }
    /// PNG files (relative to the content folder) the figure reads; part of its cache key.
    var inputFiles: [String] { get }
    /// Whether the figure reads the trained weights (a summary or diagram does not).
    var needsWeights: Bool { get }
    /// Other models the figure compares its model with: each trained (or loaded) on the
    /// figure's data before it runs, part of its cache key, and given to `run` through
    /// `DirectiveContext.otherModel(_:)`.
    var otherModels: [ModelReference] { get }

    /// Computes and draws the figure; returns its HTML body and caption notes.
    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String])

    /// What only the resolved specs tell — the figure's model and the other models it
    /// compares with, in `otherModels`' order: errors (a training log of a model vizsite did
    /// not train), and warnings for what is valid but would publish something false.
    func problems(model: ModelSpec, others: [ModelSpec]) -> [SourceError]
}

extension Directive {
    func problems(model: ModelSpec, others: [ModelSpec]) -> [SourceError] { [] }

    var inputFiles: [String] { [] }
    var needsWeights: Bool { true }
    var otherModels: [ModelReference] { [] }
}

/// A model spec a directive option names: its path relative to the content folder, and
/// where it is named.
struct ModelReference: Sendable {
    let path: String
    let location: SourceLocation
}

/// Every directive vizsite knows, by name.
enum DirectiveRegistry {
    static let all: [any Directive.Type] = [
        SummaryDirective.self, ArchitectureDirective.self, SamplesDirective.self, TrainingDirective.self,
        ModelMetricsDirective.self, FiltersDirective.self, FeatureMapsDirective.self, MaximizeDirective.self,
        SaliencyDirective.self, IGBaselinesDirective.self, CAMDirective.self, AttentionDirective.self,
        OcclusionDirective.self,
        PredictionsDirective.self,
        CompareDirective.self, ConfusionMatrixDirective.self, FaithfulnessDirective.self, SanityCheckDirective.self,
        AgreementDirective.self, DiagnosisDirective.self, ScreeningDirective.self,
        MeanHeatmapsDirective.self, MetricsDirective.self, ClassMapsDirective.self, DatasetExamplesDirective.self,
        DataRandomizationDirective.self, PlaygroundDirective.self,
    ]

    static var names: [String] { all.map { $0.name } }

    static func named(_ name: String) -> (any Directive.Type)? { all.first { $0.name == name } }
}
