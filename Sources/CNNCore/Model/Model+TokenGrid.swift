/// How a Vision Transformer's tokens lie on the image: after the tokens that stand for
/// the whole image (a class token, a DeiT's distillation token), one per patch of the patch
/// embedding's grid, row by row. What pytorch-grad-cam's `reshape_transform` undoes by
/// hand (`tensor[:, 1:, :].reshape(B, 14, 14, C)`), read here from the model.
public struct TokenGrid: Sendable, Equatable {
    public let height: Int
    public let width: Int
    /// The features of each token.
    public let features: Int
    /// The tokens before the patch tokens, dropped from a map.
    public let leadingTokens: Int
    /// The layer whose `[h, w, c]` grid the patch tokens follow (the patch embedding).
    public let gridLayer: Int
}

/// How a layer's output lies on the image as maps (`Model.spatialLayout(layer:)`).
public struct SpatialLayout: Sendable, Equatable {
    /// `[h, w, c]`.
    public let shape: [Int]
    /// The values to skip first: a token sequence's leading tokens (a class token).
    public let skipped: Int
    /// The layer whose windows place the map's cells on the input: the layer itself for an
    /// image, the patch embedding for tokens. Nil for a map no window describes (a Swin
    /// stage, after patch merging), which is stretched over the input.
    public let gridLayer: Int?
}

extension Model {
    /// The token grid of layer `index`, when its output is a token sequence: `[T, F]` once
    /// axes of length 1 are dropped, with `T` the cells of the grid of the last window
    /// before it (the patch embedding's convolution) plus fewer leading tokens than that.
    /// Nil for images, vectors and attention weights.
    public func tokenGrid(layer index: Int) -> TokenGrid? {
        let shape = layers[index].outputShape.filter { $0 != 1 }
        guard shape.count == 2 else { return nil }
        let tokens = shape[0]
        for i in layers.indices[..<index].reversed() {
            let grid = layers[i].outputShape
            guard grid.count == 3, case .window = layers[i].gridMapping else { continue }
            let cells = grid[0] * grid[1]
            guard cells > 1, cells <= tokens, tokens - cells < cells else { return nil }
            return TokenGrid(
                height: grid[0], width: grid[1], features: shape[1], leadingTokens: tokens - cells, gridLayer: i)
        }
        return nil
    }

    /// The `[h, w, c]` map a layer's output is once leading axes of length 1 are dropped
    /// (a Swin Transformer's stages keep `[1, H, W, C]` maps), or nil.
    /// Only a layer that keeps a grid counts when axes are dropped: attention weights
    /// `[1, heads, T, T]` and a transpose to NCHW are not maps.
    public func channelsLastMap(layer index: Int) -> [Int]? {
        var shape = layers[index].outputShape
        guard shape.count == 3 || layers[index].gridMapping != .noGrid else { return nil }
        while shape.count > 3 && shape.first == 1 { shape.removeFirst() }
        return shape.count == 3 ? shape : nil
    }

    /// How layer `index`'s output lies on the image, as maps — an image's own shape; a token
    /// sequence's patch grid, its leading tokens skipped; a Swin stage's `[1, H, W, C]`. Nil
    /// for vectors and attention weights.
    public func spatialLayout(layer index: Int) -> SpatialLayout? {
        // Tokens first: a sequence's shape `[1, T, F]` has three axes too.
        if let tokens = tokenGrid(layer: index) {
            return SpatialLayout(
                shape: [tokens.height, tokens.width, tokens.features], skipped: tokens.leadingTokens * tokens.features,
                gridLayer: tokens.gridLayer)
        }
        guard let map = channelsLastMap(layer: index) else { return nil }
        return SpatialLayout(shape: map, skipped: 0, gridLayer: layers[index].outputShape.count == 3 ? index : nil)
    }

    /// Where CAM methods look in a transformer by default: the last layer normalization of
    /// tokens that feeds an attention (a softmax inside the model), as pytorch-grad-cam
    /// advises for ViTs (`blocks[-1].norm1`). Later ones reach the class scores through
    /// the class token alone, so their patch tokens have no gradient. Nil for a CNN.
    public var defaultTokenCAMLayer: String? {
        guard let attention = layers.lastIndex(where: { $0 is Softmax }) else { return nil }
        return layers.indices[..<attention].last { layers[$0] is LayerNormalization && tokenGrid(layer: $0) != nil }
            .map { layers[$0].name }
    }
}
