/// The Keras layer classes that model specs and Keras files share (`KerasVocabulary`), each
/// with the prefix of Keras's default names and the options it reads.
enum KerasLayerClass {
    static let all: [(type: String, prefix: String, options: [String])] = [
        (
            "Conv2D", "conv2d",
            ["filters", "kernel_size", "strides", "padding", "dilation_rate", "groups", "activation", "use_bias"]
        ),
        (
            "DepthwiseConv2D", "depthwise_conv2d",
            ["kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier", "activation", "use_bias"]
        ),
        (
            "SeparableConv2D", "separable_conv2d",
            [
                "filters", "kernel_size", "strides", "padding", "dilation_rate", "depth_multiplier", "activation",
                "use_bias",
            ]
        ),
        ("Dense", "dense", ["units", "activation", "use_bias"]),
        ("MaxPooling2D", "max_pooling2d", ["pool_size", "strides", "padding"]),
        ("AveragePooling2D", "average_pooling2d", ["pool_size", "strides", "padding"]),
        ("GlobalAveragePooling2D", "global_average_pooling2d", ["keepdims"]),
        ("GlobalMaxPooling2D", "global_max_pooling2d", ["keepdims"]),
        ("BatchNormalization", "batch_normalization", ["axis", "epsilon", "momentum", "center", "scale"]),
        ("LayerNormalization", "layer_normalization", ["axis", "epsilon", "center", "scale"]),
        ("Activation", "activation", ["activation"]),
        ("ReLU", "re_lu", ["max_value", "negative_slope", "threshold"]),
        ("LeakyReLU", "leaky_re_lu", ["negative_slope", "alpha"]),
        ("Softmax", "softmax", []),
        ("ZeroPadding2D", "zero_padding2d", ["padding"]),
        ("Cropping2D", "cropping2d", ["cropping"]),
        ("UpSampling2D", "up_sampling2d", ["size", "interpolation"]),
        ("Rescaling", "rescaling", ["scale", "offset"]),
        ("Add", "add", []),
        ("Multiply", "multiply", []),
        ("Concatenate", "concatenate", ["axis"]),
        ("Flatten", "flatten", []),
        ("Reshape", "reshape", ["target_shape"]),
        ("Dropout", "dropout", ["rate"]),
    ]

    /// Other spellings Keras accepts.
    static let aliases = [
        "MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D", "BatchNorm": "BatchNormalization",
        "SeparableConvolution2D": "SeparableConv2D", "Convolution2D": "Conv2D",
    ]

    static let names = all.map(\.type)

    /// Classes that combine two or more inputs.
    static let merges: Set = ["Add", "Multiply", "Concatenate"]

    /// The class `name` spells, ignoring case, aliases included.
    static func named(_ name: String) -> String? {
        names.first { $0.lowercased() == name.lowercased() }
            ?? aliases.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    static func options(of type: String) -> [String] { all.first { $0.type == type }?.options ?? [] }
    static func prefix(of type: String) -> String { all.first { $0.type == type }?.prefix ?? type.lowercased() }
}
