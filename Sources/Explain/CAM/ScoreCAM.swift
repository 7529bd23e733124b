import CNN
import Render

/// Score-CAM (Wang et al., 2020): each activation channel, upsampled to the input and
/// scaled to [0, 1], masks the image; `w_k` is the softmax over channels of the target
/// logits of the masked images (as pytorch-grad-cam). Needs no gradients; all `K`
/// masked images run as one batch. Masks are placed as the map is displayed: at the
/// receptive-field centres, or with `stretch` as pytorch-grad-cam upsamples them
/// (`UpsamplingBilinear2d`, corners aligned).
public struct ScoreCAM: CAMWeighting {
    public init() {}
    public var name: String { "scorecam" }

    public func weights(_ c: CAMContext) -> [Float] {
        let shape = c.engine.model.inputShape
        let (h, w, channels) = (shape[0], shape[1], shape[2]), size = h * w * channels
        var batch = [Float](repeating: 0, count: c.channels * size)
        for k in 0..<c.channels {
            let channel = Heatmap(width: c.width, height: c.height, values: (0..<c.pixels).map { c.activation($0, k) })
            let upsampled =
                c.placement == .stretch
                ? channel.resizedAligningCorners(width: w, height: h)
                : channel.placed(c.placement, inputWidth: w, inputHeight: h, width: w, height: h)
            let mask = Normalization.minMax.apply(upsampled.values).values
            for p in 0..<(h * w) {
                for ch in 0..<channels {
                    batch[k * size + p * channels + ch] = c.image.scalars[p * channels + ch] * mask[p]
                }
            }
        }
        let logits = c.engine.logits(Tensor(shape: [c.channels] + shape, scalars: batch))
        let classes = c.engine.model.classCount
        // A contrast scores each mask by the difference of the two logits.
        let scores = (0..<c.channels).map { ch in
            logits.scalars[ch * classes + c.targetClass]
                - (c.engine.subtract.map { logits.scalars[ch * classes + $0] } ?? 0)
        }
        return softmax(Tensor(shape: [1, c.channels], scalars: scores)).scalars
    }
}
