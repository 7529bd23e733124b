import CNN
import Render

/// Guided Grad-CAM (Selvaraju et al., 2017, §3.1): guided backpropagation's input map times
/// Grad-CAM's map laid on the input — the fine strokes of the one where the other says the
/// class is. Signed, as guided backpropagation is. The paper upsamples the CAM bilinearly;
/// `upsampling` says where it lies (`stretch` is Captum's `GuidedGradCam` with
/// `interpolate_mode="bilinear"`; the receptive-field placement, vizsite's default, puts
/// each cell at its centre).
public struct GuidedGradCAM: ExplanationMethod {
    public let upsampling: Upsampling

    public init(upsampling: Upsampling = .receptiveField) { self.upsampling = upsampling }

    /// `layer` is the CAM's (default: `Model.defaultCAMLayer`).
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        let cam = try PlacedCAM(GradCAM(), upsampling: upsampling).explain(
            image, target: target, layer: layer, model: model)
        // The guided pass explains the class the CAM's pass chose (and subtracts the same one).
        let guided = GradientEngine(model: model, target: target).gradients(
            image.pixels, classes: [cam.targetClass], rule: .guided
        ).gradients
        let (h, w, c) = (model.inputShape[0], model.inputShape[1], model.inputShape[2])
        let placed = cam.mapOnInput(height: h, width: w)
        var values = [Float](repeating: 0, count: h * w)
        for p in 0..<(h * w) {
            var sum: Float = 0
            for k in 0..<c { sum += guided.scalars[p * c + k] }
            values[p] = sum * placed.values[p]
        }
        return Explanation(
            method: "guided-gradcam", layer: cam.layer, targetClass: cam.targetClass,
            map: Heatmap(width: w, height: h, values: values), isSigned: true, probabilities: cam.probabilities,
            contrastClass: target.subtracted)
    }
}
