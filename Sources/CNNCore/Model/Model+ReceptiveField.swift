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
        var path: [Int] = []
        var node = index
        while node >= 0 {
            path.append(node)
            node = inputs[node][0]
        }
        var grid = ReceptiveFieldCentres.identity
        for layer in path.reversed().map({ layers[$0] }) {
            switch layer {
            case let conv as Conv2D:
                let span = (
                    (conv.kernelSize.height - 1) * conv.dilations.height + 1,
                    (conv.kernelSize.width - 1) * conv.dilations.width + 1
                )
                grid = grid.window(size: span, stride: conv.strides, padding: (conv.padTop, conv.padLeft))
            case let pool as MaxPool2D:
                grid = grid.window(size: pool.poolSize, stride: pool.strides, padding: (pool.padTop, pool.padLeft))
            case let pool as AveragePool2D:
                grid = grid.window(size: pool.poolSize, stride: pool.strides, padding: (pool.pads.top, pool.pads.left))
            case let pad as ZeroPadding2D:
                grid = grid.window(size: (1, 1), stride: (1, 1), padding: (pad.pads.top, pad.pads.left))
            default:
                break
            }
        }
        return grid
    }
}
