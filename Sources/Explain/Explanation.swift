import CNN
import Render

/// One explained image: the raw map at its natural resolution, unnormalized (Grad-CAM of
/// conv2d_2: 24×24; saliency: 28×28, signed), and what it explains.
public struct Explanation: Sendable {
    /// The method's name as the command line spells it (`gradcam`, `smoothgrad`, …).
    public let method: String
    /// The layer explained (CAM methods), or nil for input attributions.
    public let layer: String?
    /// The class whose logit was explained.
    public let targetClass: Int
    public let map: Heatmap
    /// Whether the sign of the values carries meaning (render with a diverging colormap).
    public let isSigned: Bool
    /// The model's class probabilities for the image.
    public let probabilities: [Float]
    /// Where the map's values sit on the input (a layer's map: its receptive-field centres,
    /// or stretched when asked).
    public let placement: MapPlacement
    /// For a contrast (`target: a-b`), the class whose score was subtracted.
    public let contrastClass: Int?

    public init(
        method: String, layer: String?, targetClass: Int, map: Heatmap, isSigned: Bool, probabilities: [Float],
        placement: MapPlacement = .identity, contrastClass: Int? = nil
    ) {
        self.method = method
        self.layer = layer
        self.targetClass = targetClass
        self.map = map
        self.isSigned = isSigned
        self.probabilities = probabilities
        self.placement = placement
        self.contrastClass = contrastClass
    }

    /// The same explanation with other values (magnitudes, say), placed the same way.
    public func with(map: Heatmap, isSigned: Bool) -> Explanation {
        Explanation(
            method: method, layer: layer, targetClass: targetClass, map: map, isSigned: isSigned,
            probabilities: probabilities, placement: placement, contrastClass: contrastClass)
    }
}

extension Explanation {
    /// The map on the `height × width` input: a layer's map placed over its cells'
    /// receptive fields, an input attribution as it is.
    public func mapOnInput(height h: Int, width w: Int) -> Heatmap {
        map.placed(placement, inputWidth: w, inputHeight: h, width: w, height: h)
    }
}

/// An image to explain, `[1, h, w, c]`, with its label when it has one.
public struct ExplainedImage: Sendable {
    public let pixels: Tensor
    public let label: Int?
    /// Reference images from the training data, for methods that average over references
    /// drawn from the data (GradientSHAP); nil when there is no data.
    public var background: BackgroundImages?

    public init(pixels: Tensor, label: Int? = nil, background: BackgroundImages? = nil) {
        precondition(pixels.batchSize == 1, "one image at a time")
        self.pixels = pixels
        self.label = label
        self.background = background
    }

    /// What seeds methods that draw at random per image (`Tensor.contentHash`).
    var contentHash: UInt64 { pixels.contentHash }

    /// The input as one gray map, the mean of its channels (the input itself for one).
    public var gray: Heatmap {
        let (h, w, c) = (pixels.shape[1], pixels.shape[2], pixels.shape[3])
        guard c > 1 else { return Heatmap(width: w, height: h, values: pixels.scalars) }
        var sum = channelSum(pixels.scalars[...], height: h, width: w, channels: c)
        sum.values = sum.values.map { $0 / Float(c) }
        return sum
    }
}

extension Tensor {
    /// FNV-1a over the values' bits: what seeds draws made per image, so that the same
    /// image always gets the same draws.
    var contentHash: UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for v in scalars { hash = (hash ^ UInt64(v.bitPattern)) &* 0x100_0000_01b3 }
        return hash
    }
}

/// Sums the channels of an `[h, w, c]` slice into an `h × w` heatmap.
func channelSum(_ values: ArraySlice<Float>, height: Int, width: Int, channels: Int) -> Heatmap {
    let base = values.startIndex
    var out = [Float](repeating: 0, count: height * width)
    for p in 0..<(height * width) {
        var sum: Float = 0
        for c in 0..<channels { sum += values[base + p * channels + c] }
        out[p] = sum
    }
    return Heatmap(width: width, height: height, values: out)
}
