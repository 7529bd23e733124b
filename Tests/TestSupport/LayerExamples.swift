import CNN

/// One layer of every kind the core has, for tests that must cover them all.
/// `LayerDescriptionTests` fails when a `struct …: Layer` in Sources/CNNCore is missing here.
public enum LayerExamples {
    public static var all: [any Layer] {
        let image = [6, 6, 4]
        return [
            Conv2D(
                name: "conv", inputShape: image, filters: 4, kernelSize: (3, 3), strides: (2, 1), padding: .same,
                dilations: (1, 2), groups: 2, activation: .relu),
            Dense(name: "dense", inputShape: [8], units: 3, activation: .sigmoid),
            MaxPool2D(name: "maxpool", inputShape: image, poolSize: (2, 2)),
            AveragePool2D(name: "avgpool", inputShape: image, poolSize: (3, 3), strides: (1, 1), padding: .same),
            GlobalPool2D(name: "gmax", inputShape: image, reduction: .max),
            BatchNormalization(name: "bn", inputShape: image),
            ChannelAffine(name: "affine", inputShape: image),
            ZeroPadding2D(name: "pad", inputShape: image, pads: Pads(top: 1, bottom: 0, left: 2, right: 1)),
            Cropping2D(name: "crop", inputShape: image, crops: Pads(top: 1, bottom: 2, left: 0, right: 1)),
            Add(name: "add", inputShapes: [image, image]),
            Multiply(name: "mul", inputShapes: [image, [1, 1, 4]]),
            Concatenate(name: "concat", inputShapes: [image, [6, 6, 2]]),
            ActivationLayer(name: "act", inputShape: image, activation: .hardSwish),
            Flatten(name: "flatten", inputShape: image),
            Reshape(name: "reshape", inputShape: image, outputShape: [36, 4]),
            Dropout(name: "dropout", inputShape: image, rate: 0.5),
            LayerNormalization(name: "layernorm", inputShape: image, epsilon: 1e-3),
            Resize2D(name: "resize", inputShape: image, outputSize: (9, 13), mode: .linear),
            Gather(name: "gather", inputShape: image, indices: [2, 0, 3, 3, 1]),
            LocalResponseNormalization(name: "lrn", inputShape: image, size: 3, alpha: 1.5, beta: 0.75, bias: 1),
            Dense(name: "tokens", inputShape: [5, 4], units: 3, activation: .gelu(approximate: false)),
            Gather(name: "pick", inputShape: [3, 4, 2], axis: 1, indices: [3, 0, 3]),
            Transpose(name: "transpose", inputShape: [2, 3, 4], permutation: [2, 0, 1]),
            MatMul(name: "matmul", inputShapes: [[3, 4, 4], [3, 4, 2]]),
            Softmax(name: "softmax", inputShape: [3, 5]),
            AddTensor(name: "position", inputShape: [5, 4]),
            PrependTensor(name: "cls", inputShape: [2, 3, 4], axis: 1, count: 2),
        ]
    }
}
