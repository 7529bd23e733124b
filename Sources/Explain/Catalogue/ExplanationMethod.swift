import CNN

/// An attribution method, configured: it explains one image for one target, at a layer
/// when it is a CAM method.
public protocol ExplanationMethod: Sendable {
    func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation
    /// Whether the map depends on the target class, and so can explain a contrast (a-b).
    var explainsContrasts: Bool { get }
}

extension ExplanationMethod {
    public var explainsContrasts: Bool { true }
}

/// One entry of the catalogue: what a method is called, how it reads, what it needs, and
/// how to build it from its parameters.
public struct MethodEntry: Sendable {
    public enum Family: String, Sendable {
        /// Attributions to input pixels from gradients, or from backward passes with rules of
        /// their own (DeepLIFT, LRP).
        case gradient
        /// Class activation maps at a convolution layer.
        case cam
        /// Attributions from perturbed copies of the input.
        case perturbation
        /// Maps that ignore the model (noise, the input's edges): what metrics compare with.
        case baseline
        /// Maps read from a transformer's attention weights, through its blocks.
        case attention
    }

    /// The name directives and the command line use (`gradcam`, `smoothgrad`).
    public let name: String
    /// The name as the literature writes it (`Grad-CAM`).
    public let title: String
    public let family: Family
    /// Whether the sign of the values carries meaning (render with a diverging colormap).
    public let isSigned: Bool
    public let parameters: [MethodParameter]
    let make: @Sendable (MethodSettings) -> any ExplanationMethod
    /// For a method with map modifiers (`integrated-gradients+blur`): the catalogue method
    /// it modifies, and the modifiers in order; otherwise this method, and none.
    public internal(set) var base: (name: String, title: String)
    public internal(set) var modifiers: [MapModifier] = []

    /// Whether the method explains at a convolution layer (and so needs one): the CAM
    /// family, and input attributions weighted by a CAM (Guided Grad-CAM).
    public let needsLayer: Bool

    public init(
        _ name: String, title: String, family: Family, signed: Bool, needsLayer: Bool? = nil,
        parameters: [MethodParameter] = [], make: @escaping @Sendable (MethodSettings) -> any ExplanationMethod
    ) {
        self.name = name
        self.title = title
        self.family = family
        self.needsLayer = needsLayer ?? (family == .cam)
        self.isSigned = signed
        self.parameters = parameters
        self.make = make
        self.base = (name, title)
    }

    /// `given` with every missing parameter at `defaults` or else its declared default;
    /// parameters the method does not take are dropped, so they never reach a cache key.
    public func settings(_ given: MethodSettings = MethodSettings(), defaults: [String: String] = [:]) -> MethodSettings
    {
        var resolved = MethodSettings()
        for p in parameters { resolved[p.name] = given[p.name] ?? defaults[p.name] ?? p.defaultText }
        return resolved
    }

    /// The method with `settings` (missing parameters at their defaults).
    public func method(_ settings: MethodSettings = MethodSettings()) -> any ExplanationMethod {
        make(self.settings(settings))
    }

    /// Explains `image`; CAM methods at `layer` (default: `Model.defaultCAMLayer`).
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String? = nil, settings: MethodSettings = MethodSettings(),
        model: Model
    ) throws(ExplainError) -> Explanation {
        try method(settings).explain(image, target: target, layer: layer, model: model)
    }
}
