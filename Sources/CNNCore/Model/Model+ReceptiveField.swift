/// Where a layer's outputs sit on the input: output `(i, j)` of a spatial layer has its
/// receptive field centred on input pixel `(offsetY + strideY·i, offsetX + strideX·j)`,
/// pixel `k`'s centre being at coordinate `k`. Two valid 3×3 convolutions: offset 2,
/// stride 1, so their 24×24 map sits inside the 28×28 input with a 2-pixel border.
public struct ReceptiveFieldCentres: Sendable, Equatable {
    public var offsetX: Double
    public var offsetY: Double
    public var strideX: Double
    public var strideY: Double

    public init(offsetX: Double, offsetY: Double, strideX: Double, strideY: Double) {
        self.offsetX = offsetX
        self.offsetY = offsetY
        self.strideX = strideX
        self.strideY = strideY
    }

    /// The input itself.
    public static let identity = ReceptiveFieldCentres(offsetX: 0, offsetY: 0, strideX: 1, strideY: 1)

    /// After a window of `size` moved by `stride` over this grid, starting `padding`
    /// cells before it: window `j` covers cells `j·stride − padding …`, centred half a
    /// window further.
    func window(
        size: (height: Int, width: Int), stride: (height: Int, width: Int), padding: (top: Int, left: Int)
    )
        -> ReceptiveFieldCentres
    {
        ReceptiveFieldCentres(
            offsetX: offsetX + strideX * (Double(size.width - 1) / 2 - Double(padding.left)),
            offsetY: offsetY + strideY * (Double(size.height - 1) / 2 - Double(padding.top)),
            strideX: strideX * Double(stride.width), strideY: strideY * Double(stride.height))
    }
}

extension Model {
    /// The receptive-field centres of layer `index`'s outputs (for layers with a spatial
    /// `[h, w, c]` output), followed back through each layer's first input: the inputs of
    /// an `Add` or `Concatenate` share one grid.
    public func receptiveFieldCentres(layer index: Int) -> ReceptiveFieldCentres {
        var grid = ReceptiveFieldCentres.identity
        for layer in firstInputPath(to: index) {
            switch layer.gridMapping {
            case .window(let span, let stride, let padding):
                grid = grid.window(
                    size: (span.height, span.width), stride: (stride.height, stride.width),
                    padding: (padding.height, padding.width))
            case .sameGrid, .noGrid:
                // Unchanged; after a layer with no grid nothing spatial follows but 1×1 maps.
                continue
            }
        }
        return grid
    }
}

extension Model {
    /// The size of the receptive field of one output of layer `index` (height, width) in
    /// input pixels, along the same path as `receptiveFieldCentres`: two valid 3×3
    /// convolutions see 5×5.
    public func receptiveFieldSize(layer index: Int) -> (height: Int, width: Int) {
        var size = (height: 1, width: 1), stride = (height: 1, width: 1)
        for layer in firstInputPath(to: index) {
            guard case .window(let span, let step, _) = layer.gridMapping else { continue }
            size = (size.height + (span.height - 1) * stride.height, size.width + (span.width - 1) * stride.width)
            stride = (stride.height * step.height, stride.width * step.width)
        }
        return size
    }
}

extension Model {
    /// The layers from the input to layer `index`, each reached through its first input.
    fileprivate func firstInputPath(to index: Int) -> [any Layer] {
        var path: [Int] = []
        var node = index
        while node >= 0 {
            path.append(node)
            node = inputs[node][0]
        }
        return path.reversed().map { layers[$0] }
    }
}
