import CNN
import Render

extension ModelSpec {
    /// A picture as this model's input, as lessons and `vizsite explain` both make it:
    /// fitted as `preparation` says, else as the model's sidecar says, else the standard
    /// way for its input shape; normalized as the sidecar says (pixel / 255 without one).
    public func input(from picture: RGBAImage, preparation: ImagePreparation?) -> ModelInputImage {
        let shape = model.inputShape
        let sidecarPreparation = sidecar.preprocess.flatMap(ImagePreparation.init(rawValue:))
        return ModelInputImage(
            picture, width: shape[1], height: shape[0], channels: shape[2],
            preparation: preparation ?? sidecarPreparation ?? .standard(forInput: shape),
            normalization: sidecar.normalization)
    }
}
