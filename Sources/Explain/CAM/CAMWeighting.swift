import CNN
import Render

/// What a CAM method sees of one image at one convolution: the activations `A` and the
/// gradients `G = d logit[target] / dA`, both `[h, w, K]` channels-last.
public struct CAMContext: Sendable {
    public let activations: [Float]
    public let gradients: [Float]
    public let height: Int
    public let width: Int
    public let channels: Int
    public let image: Tensor
    public let targetClass: Int
    public let layer: Int
    public let engine: GradientEngine
    /// Where the layer's grid sits on the input (Score-CAM's masks follow it).
    public let placement: MapPlacement

    public init(
        activations: [Float], gradients: [Float], height: Int, width: Int, channels: Int, image: Tensor,
        targetClass: Int, layer: Int, engine: GradientEngine, placement: MapPlacement = .stretch
    ) {
        self.activations = activations
        self.gradients = gradients
        self.height = height
        self.width = width
        self.channels = channels
        self.image = image
        self.targetClass = targetClass
        self.layer = layer
        self.engine = engine
        self.placement = placement
    }

    public func activation(_ p: Int, _ k: Int) -> Float { activations[p * channels + k] }
    public func gradient(_ p: Int, _ k: Int) -> Float { gradients[p * channels + k] }
    public var pixels: Int { height * width }
}

/// One class-activation-map method. Most supply only channel weights `w_k`; the base
/// forms `ReLU(Σ_k w_k A_k)` at the layer's resolution, unnormalized (as pytorch-grad-cam's
/// `BaseCAM`, minus the resizing and scaling that belong to rendering). Methods that
/// differ more (Layer-CAM, Eigen-CAM) replace `map`.
public protocol CAMWeighting: ExplanationMethod {
    var name: String { get }
    /// Channel weights, one per channel of the layer.
    func weights(_ context: CAMContext) -> [Float]
    /// The map; by default the ReLU of the weighted sum of activation channels.
    func map(_ context: CAMContext) -> Heatmap
    /// Whether the map depends on the target, and so can explain a contrast (a-b).
    var explainsContrasts: Bool { get }
    /// Whether the map reads each cell's own gradient (not only channel sums), so that the
    /// layers below must run on exact kernels (see `GradientEngine.gradients`).
    var readsCellGradients: Bool { get }
}

extension CAMWeighting {
    public var explainsContrasts: Bool { true }
    public var readsCellGradients: Bool { false }

    public func map(_ context: CAMContext) -> Heatmap {
        let w = weights(context)
        var values = [Float](repeating: 0, count: context.pixels)
        for p in 0..<context.pixels {
            var sum: Float = 0
            for k in 0..<context.channels { sum += w[k] * context.activation(p, k) }
            values[p] = max(sum, 0)
        }
        return Heatmap(width: context.width, height: context.height, values: values)
    }

    /// Explains `image` at the convolution `layer` (default: the last) for `target`; the
    /// map is placed at its receptive-field centres.
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        try PlacedCAM(self, upsampling: .receptiveField).explain(image, target: target, layer: layer, model: model)
    }

    /// Explains `image` at the convolution `layer` for `target`. `upsampling` says where
    /// the map lies on the input, for display and for Score-CAM's masks.
    public func explain(
        _ image: ExplainedImage, layer: String, target: Target, model: Model,
        upsampling: Upsampling = .receptiveField
    ) throws(ExplainError) -> Explanation {
        let index = try model.requireSpatialLayer(layer, tokens: true)
        if target.subtracted != nil && !explainsContrasts { throw .contrastUnsupported(method: name) }
        let engine = GradientEngine(model: model, target: target)
        let (pass, classes) = try engine.gradients(image.pixels, at: index, exactKernels: readsCellGradients) {
            (_, logits) throws(ExplainError) in
            try engine.resolve(target, logits: logits, label: image.label)
        }
        let k = classes[0]
        guard let layout = model.spatialLayout(layer: index) else {
            throw .notSpatial(layer, model.layers[index].outputShape)
        }
        // Patch tokens on the patch embedding's grid, the class token dropped.
        let activations = Array(pass.activations.scalars.dropFirst(layout.skipped))
        let gradients = Array(pass.gradients.scalars.dropFirst(layout.skipped))
        let placement = upsampling == .stretch ? .stretch : model.mapPlacement(layer: index)
        let shape = layout.shape
        let context = CAMContext(
            activations: activations, gradients: gradients,
            height: shape[0], width: shape[1], channels: shape[2], image: image.pixels,
            targetClass: k, layer: index, engine: engine, placement: placement)
        return Explanation(
            method: name, layer: layer, targetClass: k, map: map(context), isSigned: false,
            probabilities: softmax(pass.logits).scalars, placement: placement, contrastClass: target.subtracted)
    }
}

/// Where a CAM's map lies on the input.
public enum Upsampling: String, Sendable, CaseIterable {
    /// Each value at its receptive field's centre (the exact geometry).
    case receptiveField = "receptive-field"
    /// Stretched over the input, as pytorch-grad-cam does (its Score-CAM masks too).
    case stretch
}

extension Model {
    /// Where layer `index`'s maps lie on the input: at the receptive-field centres of the
    /// layer whose grid they follow (a token layer's patch embedding); stretched over the
    /// input when no window describes it (a Swin stage, after patch merging), as
    /// pytorch-grad-cam places every map.
    public func mapPlacement(layer index: Int) -> MapPlacement {
        spatialLayout(layer: index)?.gridLayer.map(receptiveFieldPlacement(layer:)) ?? .stretch
    }

    /// Where the map of layer `index` lies on the input: each value at its receptive
    /// field's centre.
    public func receptiveFieldPlacement(layer index: Int) -> MapPlacement {
        let centres = receptiveFieldCentres(layer: index)
        return .centres(
            offsetX: centres.offsetX, offsetY: centres.offsetY, strideX: centres.strideX, strideY: centres.strideY)
    }
}

/// A CAM weighting with the placement of its map: what the catalogue builds.
public struct PlacedCAM: ExplanationMethod {
    public let weighting: any CAMWeighting
    public let upsampling: Upsampling

    public init(_ weighting: any CAMWeighting, upsampling: Upsampling) {
        self.weighting = weighting
        self.upsampling = upsampling
    }

    public var explainsContrasts: Bool { weighting.explainsContrasts }

    /// `layer` defaults to `Model.defaultCAMLayer`; a model without a spatial layer is an error.
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        guard let layer = layer ?? model.defaultCAMLayer else { throw .noConvolution(method: weighting.name) }
        return try weighting.explain(image, layer: layer, target: target, model: model, upsampling: upsampling)
    }
}
