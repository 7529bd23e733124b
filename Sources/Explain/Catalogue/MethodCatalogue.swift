import Common

/// Every attribution method vizsite has, by name. Directives, `vizsite explain` and
/// `vizsite bench --explain` all read it: adding a method means adding its type and one
/// entry here.
public enum MethodCatalogue {
    static let samples = MethodParameter.integer(
        "samples", 1...500, default: 50,
        "SmoothGrad: noisy samples; GradientSHAP: references and interpolation points drawn.")
    static let noise = MethodParameter.number(
        "noise", 0...1, default: 0.15,
        "SmoothGrad: noise level (standard deviation / input range).")
    static let steps = MethodParameter.integer(
        "steps", 1...512, default: 50, "Integrated Gradients: integration steps.")
    static let baseline = MethodParameter.choice(
        "baseline", IGBaseline.allCases.map(\.rawValue), default: IGBaseline.black.rawValue,
        "Integrated Gradients: the input it integrates from — black (0, Captum's default), max-distance (each value "
            + "at the far end of the image's range), blur (the image blurred by sigma), uniform (noise over the "
            + "image's range) or data (training images); pixels equal to the baseline get nothing.")
    static let sigma = MethodParameter.number(
        "sigma", 0.5...100, default: 5,
        "Integrated Gradients, baseline blur: the Gaussian's standard deviation in pixels.")
    static let draws = MethodParameter.integer(
        "draws", 1...100, default: 10,
        "Integrated Gradients, baseline uniform or data: how many baselines are averaged.")
    static let patch = MethodParameter.integer(
        "patch", 1...4096, default: 6, "Occlusion: side of the square patch, in pixels.")
    static let stride = MethodParameter.integer(
        "stride", 1...4096, default: 2, "Occlusion: step between patch positions.")
    static let fill = MethodParameter.number("fill", 0...1, default: 0, "Occlusion: the value hidden pixels take.")
    static let upsample = MethodParameter.choice(
        "upsample", Upsampling.allCases.map(\.rawValue), default: Upsampling.receptiveField.rawValue,
        "CAM methods: where the layer's map lies on the input. receptive-field: each value at its receptive field's "
            + "centre (conv2d_2's 24×24 map inside a 2-pixel border); stretch: over the whole input, as "
            + "pytorch-grad-cam "
            + "does (Score-CAM's masks too).")

    static let aggregate = MethodParameter.choice(
        "aggregate", SmoothGrad.Aggregate.allCases.filter { $0 != .mean }.map(\.rawValue),
        default: SmoothGrad.Aggregate.meanOfMagnitudes.rawValue,
        "SmoothGrad: how the noisy gradients combine — mean-abs (the mean of |∇|, Captum's), abs-mean (|mean ∇|, as "
            + "Smilkov et al. draw it), squared (SmoothGrad²), variance (VarGrad).")
    static let epsilon = MethodParameter.number(
        "epsilon", 0...10, default: 1e-6,
        "LRP: the ε rule's stabilizer (Zennit's default; larger values absorb weak, contradictory relevance).")
    static let gamma = MethodParameter.number(
        "gamma", 0...10, default: 0.25, "LRP: how much the γ rule favours positive contributions.")
    static let composite = MethodParameter.choice(
        "composite", LRPComposite.allCases.filter { $0 != .epsilon }.map(\.rawValue),
        default: LRPComposite.epsilonGammaBox.rawValue,
        "LRP: which rule each layer gets, as Zennit's composites (z^B on the input range [0, 1]).")

    static func cam(_ name: String, _ title: String, _ weighting: any CAMWeighting) -> MethodEntry {
        MethodEntry(name, title: title, family: .cam, signed: false, parameters: [upsample]) {
            PlacedCAM(weighting, upsampling: Upsampling(rawValue: $0.text("upsample")) ?? .receptiveField)
        }
    }

    public static let all: [MethodEntry] = [
        MethodEntry("vanilla", title: "Gradient", family: .gradient, signed: true) { _ in VanillaGradient() },
        MethodEntry("absolute", title: "|Gradient|", family: .gradient, signed: false) { _ in
            VanillaGradient(absolute: true)
        },
        MethodEntry(
            "smoothgrad", title: "SmoothGrad", family: .gradient, signed: false,
            parameters: [samples, noise, aggregate]
        ) {
            SmoothGrad(
                samples: $0.int("samples"), noise: $0.float("noise"),
                aggregate: SmoothGrad.Aggregate(rawValue: $0.text("aggregate")) ?? .meanOfMagnitudes)
        },
        MethodEntry("guided", title: "Guided backprop", family: .gradient, signed: true) { _ in
            RectifiedGradient(.guided)
        },
        MethodEntry("deconvnet", title: "Deconvnet", family: .gradient, signed: true) { _ in
            RectifiedGradient(.deconvnet)
        },
        MethodEntry(
            "guided-gradcam", title: "Guided Grad-CAM", family: .gradient, signed: true, needsLayer: true,
            parameters: [upsample]
        ) {
            GuidedGradCAM(upsampling: Upsampling(rawValue: $0.text("upsample")) ?? .receptiveField)
        },
        MethodEntry("input-x-gradient", title: "Input × gradient", family: .gradient, signed: true) { _ in
            InputTimesGradient()
        },
        MethodEntry(
            "integrated-gradients", title: "Integrated Gradients", family: .gradient, signed: true,
            parameters: [steps, baseline, sigma, draws]
        ) {
            IntegratedGradients(
                steps: $0.int("steps"), baseline: IGBaseline(rawValue: $0.text("baseline")) ?? .black,
                sigma: $0.float("sigma"), draws: $0.int("draws"))
        },
        MethodEntry("deeplift", title: "DeepLIFT", family: .gradient, signed: true) { _ in DeepLIFT() },
        MethodEntry("gradientshap", title: "GradientSHAP", family: .gradient, signed: true, parameters: [samples]) {
            GradientSHAP(samples: $0.int("samples"))
        },
        MethodEntry("lrp-epsilon", title: "LRP-ε", family: .gradient, signed: true, parameters: [epsilon]) {
            LRP(composite: .epsilon, epsilon: $0.float("epsilon"))
        },
        MethodEntry(
            "lrp-composite", title: "LRP (composite)", family: .gradient, signed: true,
            parameters: [composite, epsilon, gamma]
        ) {
            LRP(
                composite: LRPComposite(rawValue: $0.text("composite")) ?? .epsilonGammaBox,
                epsilon: $0.float("epsilon"), gamma: $0.float("gamma"))
        },
        cam("gradcam", "Grad-CAM", GradCAM()),
        cam("hirescam", "HiResCAM", HiResCAM()),
        cam("xgradcam", "XGradCAM", XGradCAM()),
        cam("gradcam++", "Grad-CAM++", GradCAMPlusPlus()),
        cam("scorecam", "Score-CAM", ScoreCAM()),
        cam("layercam", "Layer-CAM", LayerCAM()),
        cam("eigencam", "Eigen-CAM", EigenCAM()),
        MethodEntry(
            "occlusion", title: "Occlusion", family: .perturbation, signed: true, parameters: [patch, stride, fill]
        ) {
            Occlusion(patch: $0.int("patch"), stride: $0.int("stride"), fill: $0.float("fill"))
        },
        MethodEntry("rollout", title: "Attention rollout", family: .attention, signed: false) { _ in
            AttentionFlow(.rollout)
        },
        MethodEntry(
            "attention-gradient", title: "Gradient-weighted attention", family: .attention, signed: false
        ) { _ in AttentionFlow(.gradientWeighted) },
        MethodEntry("random", title: "Random", family: .baseline, signed: false) { _ in RandomBaseline() },
        MethodEntry("edge", title: "Edges (Sobel)", family: .baseline, signed: false) { _ in EdgeBaseline() },
        MethodEntry("image", title: "The image itself", family: .baseline, signed: false) { _ in ImageBaseline() },
    ]

    public static var names: [String] { all.map(\.name) }

    /// Other names the methods go by (earlier vizsite names, the papers' spellings), accepted
    /// wherever a method is named — the CLI's commands and the directives alike — for the
    /// method of the catalogue's name.
    public static let aliases: KeyValuePairs<String, String> = [
        "saliency": "vanilla", "gradient": "vanilla", "ig": "integrated-gradients", "grad-cam": "gradcam",
        "grad-cam++": "gradcam++", "score-cam": "scorecam", "layer-cam": "layercam", "eigen-cam": "eigencam",
    ]

    /// The catalogue's name for `name`, an alias or a name (modifiers kept: `saliency+abs` → `vanilla+abs`).
    public static func canonicalName(_ name: String) -> String {
        guard let (entry, parts) = split(name) else { return name }
        return ([entry.name] + parts).joined(separator: "+")
    }

    /// The names and aliases, as help texts list them ("vanilla (or saliency, gradient), …").
    public static var namesWithAliases: String {
        names.map { name in
            let other = aliases.filter { $0.value == name }.map(\.key)
            return other.isEmpty ? name : "\(name) (or \(other.joined(separator: ", ")))"
        }.joined(separator: ", ")
    }

    /// The method called `name`: a catalogue name, optionally followed by map modifiers
    /// (`integrated-gradients+blur`, `vanilla+abs+blur`, `gradcam+++blur`).
    public static func named(_ name: String) -> MethodEntry? {
        guard let (base, parts) = split(name) else { return nil }
        var modifiers: [MapModifier] = []
        for part in parts {
            guard let modifier = MapModifier(rawValue: part), !modifiers.contains(modifier) else { return nil }
            modifiers.append(modifier)
        }
        return base.modified(by: modifiers)
    }

    /// The catalogue entry `name` starts with (the longest, as `gradcam++` contains `+`) and
    /// the modifier names after it.
    private static func split(_ name: String) -> (MethodEntry, [String])? {
        let spellings =
            all.map { ($0.name, $0) }
            + aliases.compactMap { alias, target in
                all.first { $0.name == target }.map { (alias, $0) }
            }
        if let exact = spellings.first(where: { $0.0 == name }) { return (exact.1, []) }
        let bases = spellings.filter { name.hasPrefix($0.0 + "+") }
        guard let base = bases.max(by: { $0.0.count < $1.0.count }) else { return nil }
        let rest = name.dropFirst(base.0.count + 1)
        return (base.1, rest.split(separator: "+", omittingEmptySubsequences: false).map(String.init))
    }

    /// What is wrong with a method name `named` does not know, and the name meant.
    public static func problem(with name: String) -> (message: String, suggestion: String?) {
        guard let (base, parts) = split(name) else {
            let head = String(name.prefix { $0 != "+" }), tail = name.dropFirst(head.count)
            return (
                "unknown method '\(head)'; expected one of \(names.joined(separator: ", "))",
                nearestName(to: head, in: names).map { $0 + tail }
            )
        }
        let modifiers = MapModifier.allCases.map(\.rawValue)
        if let wrong = parts.first(where: { MapModifier(rawValue: $0) == nil }) {
            return (
                "unknown map modifier '+\(wrong)' in '\(name)'; expected "
                    + modifiers.map { "+" + $0 }.joined(separator: ", "),
                nearestName(to: wrong, in: modifiers).map { near in
                    ([base.name] + parts.map { $0 == wrong ? near : $0 }).joined(separator: "+")
                }
            )
        }
        return ("'\(name)' names a map modifier twice", nil)
    }

    public static func family(_ family: MethodEntry.Family) -> [MethodEntry] { all.filter { $0.family == family } }

    /// The parameters `entries` take, each once, in catalogue order.
    public static func parameters(of entries: [MethodEntry]) -> [MethodParameter] {
        var seen: Set<String> = []
        return entries.flatMap(\.parameters).filter { seen.insert($0.name).inserted }
    }
}
