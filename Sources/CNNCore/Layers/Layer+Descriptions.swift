// Each layer's answers to the requirements of LayerDescription.swift, side by side so
// that they can be read against each other.

extension Conv2D {
    public var operation: OperationDescription {
        OperationDescription(
            "conv2d",
            [
                "kernel": .ints([kernelSize.height, kernelSize.width]),
                "strides": .ints([strides.height, strides.width]),
                "dilations": .ints([dilations.height, dilations.width]), "pads": .ints([pads.top, pads.left]),
                "groups": .int(groups), "activation": .activation(activation),
            ])
    }
    public var gridMapping: GridMapping {
        .window(size: kernelSize, strides: strides, pads: pads, dilations: dilations)
    }
    public var propagation: PropagationRole { .affine }
}

extension Dense {
    public var operation: OperationDescription {
        OperationDescription("dense", ["activation": .activation(activation)])
    }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .affine }
}

extension MaxPool2D {
    public var operation: OperationDescription {
        OperationDescription(
            "maxpool",
            [
                "pool": .ints([poolSize.height, poolSize.width]), "strides": .ints([strides.height, strides.width]),
                "pads": .ints([pads.top, pads.left]),
            ])
    }
    public var gridMapping: GridMapping { .window(size: poolSize, strides: strides, pads: pads) }
    public var propagation: PropagationRole { .maximum }
}

extension AveragePool2D {
    public var operation: OperationDescription {
        OperationDescription(
            "avgpool",
            [
                "pool": .ints([poolSize.height, poolSize.width]), "strides": .ints([strides.height, strides.width]),
                "pads": .ints([pads.top, pads.left]), "count_include_pad": .bool(countIncludePad),
            ])
    }
    public var gridMapping: GridMapping { .window(size: poolSize, strides: strides, pads: pads) }
    public var propagation: PropagationRole { .sum }
}

extension GlobalPool2D {
    public var operation: OperationDescription {
        OperationDescription(reduction == .average ? "globalavg" : "globalmax")
    }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { reduction == .max ? .maximum : .sum }
}

extension BatchNormalization {
    public var operation: OperationDescription { OperationDescription("batchnorm", ["epsilon": .float(epsilon)]) }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .scaling }
}

extension ChannelAffine {
    public var operation: OperationDescription { OperationDescription("affine") }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .scaling }
}

extension ZeroPadding2D {
    public var operation: OperationDescription {
        OperationDescription("zeropad", ["pads": .ints([pads.top, pads.left])])
    }
    public var gridMapping: GridMapping {
        .window(span: .init(1, 1), stride: .init(1, 1), padding: .init(pads.top, pads.left))
    }
    public var propagation: PropagationRole { .routing }
}

extension Cropping2D {
    public var operation: OperationDescription {
        OperationDescription("crop", ["crops": .ints([crops.top, crops.left])])
    }
    /// Output cell `(i, j)` is input cell `(i + top, j + left)`: a 1×1 window that starts
    /// inside the grid (a negative padding).
    public var gridMapping: GridMapping {
        .window(span: .init(1, 1), stride: .init(1, 1), padding: .init(-crops.top, -crops.left))
    }
    public var propagation: PropagationRole { .routing }
}

extension Add {
    public var operation: OperationDescription { OperationDescription("add") }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .sum }
}

extension Multiply {
    public var operation: OperationDescription { OperationDescription("multiply") }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .product }
}

extension Concatenate {
    public var operation: OperationDescription { OperationDescription("concat", ["axis": .int(axis)]) }
    /// Inputs joined along their channels share one grid; joined along another axis, they do not.
    public var gridMapping: GridMapping {
        outputShape.count == 3 && axis == 2 ? .sameGrid : .noGrid
    }
    public var propagation: PropagationRole { .routing }
}

extension ActivationLayer {
    public var operation: OperationDescription {
        OperationDescription("activation", ["activation": .activation(activation)])
    }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .activation }
}

// Layers that only rearrange or keep values run as the identity on flat buffers.

extension Flatten {
    public var operation: OperationDescription { OperationDescription("identity") }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .routing }
}

extension Reshape {
    public var operation: OperationDescription { OperationDescription("identity") }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .routing }
}

extension Dropout {
    public var operation: OperationDescription { OperationDescription("identity") }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .scaling }
}

extension LocalResponseNormalization {
    public var operation: OperationDescription {
        OperationDescription(
            "lrn",
            [
                "size": .int(size), "alpha": .float(alpha), "beta": .float(beta), "bias": .float(bias),
                "before": .int(before),
            ])
    }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .normalization }
}

extension Gather {
    public var operation: OperationDescription {
        OperationDescription("gather", ["axis": .int(axis), "indices": .ints(indices)])
    }
    /// Channels picked from an image keep its grid; entries of another axis do not.
    public var gridMapping: GridMapping { inputShape.count == 3 && axis == 2 ? .sameGrid : .noGrid }
    public var propagation: PropagationRole { .routing }
}

extension Transpose {
    public var operation: OperationDescription {
        OperationDescription("transpose", ["permutation": .ints(permutation)])
    }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .routing }
}

extension MatMul {
    public var operation: OperationDescription { OperationDescription("matmul") }
    public var gridMapping: GridMapping { .noGrid }
    /// Both operands are computed: a product of inputs, as `Multiply` is.
    public var propagation: PropagationRole { .product }
}

extension Softmax {
    public var operation: OperationDescription { OperationDescription("softmax") }
    public var gridMapping: GridMapping { .noGrid }
    /// Each value divided by a sum over its row, as layer normalization divides.
    public var propagation: PropagationRole { .normalization }
}

extension AddTensor {
    public var operation: OperationDescription { OperationDescription("addtensor") }
    public var gridMapping: GridMapping { .sameGrid }
    /// A fixed shift, as a bias: relevance passes through, DeepLIFT follows the gradient.
    public var propagation: PropagationRole { .scaling }
}

extension PrependTensor {
    public var operation: OperationDescription {
        OperationDescription("prepend", ["axis": .int(axis), "count": .int(count)])
    }
    public var gridMapping: GridMapping { .noGrid }
    public var propagation: PropagationRole { .routing }
}

extension LayerNormalization {
    public var operation: OperationDescription { OperationDescription("layernorm", ["epsilon": .float(epsilon)]) }
    public var gridMapping: GridMapping { .sameGrid }
    public var propagation: PropagationRole { .normalization }
}

extension Resize2D {
    /// The taps, which the mode and coordinate convention come down to: each output row's
    /// two input rows and the weight of the second, and the same for columns.
    public var operation: OperationDescription {
        OperationDescription(
            "resize",
            [
                "rows": .ints(rows.flatMap { [$0.first, $0.second] }), "row_weights": .floats(rows.map(\.weight)),
                "columns": .ints(columns.flatMap { [$0.first, $0.second] }),
                "column_weights": .floats(columns.map(\.weight)),
            ])
    }
    /// Output cells lie on the input grid at a fractional stride, which a window cannot say.
    public var gridMapping: GridMapping { .noGrid }
    /// A weighted sum of input values with fixed, non-negative weights, as average pooling.
    public var propagation: PropagationRole { .sum }
}
