import CNN
import Render

/// The kernels of a convolution: for each output channel (filter), one `kh × kw` map per
/// input channel, signed, straight from the weights.
public enum Filters {
    public static func kernels(of model: Model, layer: String) throws(ExplainError) -> [[Heatmap]] {
        let index = try model.requireConvolution(layer)
        let kernel = model.parameters["\(model.layers[index].name)/kernel"]!
        let (kh, kw, cin, cout) = (kernel.shape[0], kernel.shape[1], kernel.shape[2], kernel.shape[3])
        return (0..<cout).map { o in
            (0..<cin).map { i in
                Heatmap(
                    width: kw, height: kh, values: (0..<(kh * kw)).map { p in kernel.scalars[(p * cin + i) * cout + o] }
                )
            }
        }
    }
}

/// A layer's activations for one image: one map per channel for outputs that lie on the
/// image (a transformer's patch tokens on their grid, the class token left out), or a
/// single `1 × n` row for flat ones.
public enum FeatureMaps {
    public static func compute(_ model: Model, image: Tensor, layer: String) throws(ExplainError) -> [Heatmap] {
        let index = try model.requireLayer(layer)
        let output = model.outputs(image)[index]
        guard let layout = model.spatialLayout(layer: index) else {
            return [Heatmap(width: output.count, height: 1, values: output.scalars)]
        }
        let (h, w, c) = (layout.shape[0], layout.shape[1], layout.shape[2]), skipped = layout.skipped
        return (0..<c).map { ch in
            Heatmap(width: w, height: h, values: (0..<(h * w)).map { output.scalars[skipped + $0 * c + ch] })
        }
    }
}
