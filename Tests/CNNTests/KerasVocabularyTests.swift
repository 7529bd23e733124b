import Common
import Foundation
import Testing
import TestSupport

@testable import CNN

/// Model specs and Keras files speak Keras's layer vocabulary through one builder
/// (`KerasVocabulary`): the same words make the same layers, with the same checks.
@Suite struct KerasVocabularyTests {
    /// A model using the classes specs gained with the shared builder.
    static let spec = """
        name: shared
        input: [8, 8, 3]
        layers:
          - {type: Rescaling, scale: 0.5, offset: [-1, 0, 1]}
          - {type: SeparableConv2D, name: sep, filters: 4, kernel_size: 3, padding: same, activation: relu}
          - {type: LayerNormalization, epsilon: 0.001}
          - {type: UpSampling2D, size: 2, interpolation: bilinear}
          - {type: Dense, name: pointwise, units: 2}
          - {type: Concatenate, inputs: [pointwise, up_sampling2d_1], axis: 3}
          - {type: GlobalAveragePooling2D}
          - {type: Dense, units: 3}
        """

    /// The same model as a Keras 3 config (functional, as `model.to_json()` writes it).
    static let config = """
        {"class_name": "Functional", "config": {"name": "shared", "layers": [
          {"class_name": "InputLayer", "name": "input", "config": {"batch_shape": [null, 8, 8, 3], "name": "input"},
           "inbound_nodes": []},
          \(layer("Rescaling", "rescaling_1", #"{"scale": 0.5, "offset": [-1, 0, 1]}"#, ["input"])),
          \(layer("SeparableConv2D", "sep",
            #"{"filters": 4, "kernel_size": [3, 3], "strides": [1, 1], "padding": "same", "depth_multiplier": 1,"#
            + #" "dilation_rate": [1, 1], "activation": "relu", "use_bias": true, "data_format": "channels_last"}"#,
            ["rescaling_1"])),
          \(layer("LayerNormalization", "layer_normalization_1",
            #"{"axis": [-1], "epsilon": 0.001, "center": true, "scale": true, "rms_scaling": false}"#, ["sep"])),
          \(layer("UpSampling2D", "up_sampling2d_1", #"{"size": [2, 2], "interpolation": "bilinear"}"#,
            ["layer_normalization_1"])),
          \(layer("Dense", "pointwise", #"{"units": 2, "activation": "linear", "use_bias": true}"#,
            ["up_sampling2d_1"])),
          \(layer("Concatenate", "concatenate_1", #"{"axis": -1}"#, ["pointwise", "up_sampling2d_1"])),
          \(layer("GlobalAveragePooling2D", "global_average_pooling2d_1", #"{"keepdims": false}"#,
            ["concatenate_1"])),
          \(layer("Dense", "dense_2", #"{"units": 3, "activation": "linear"}"#, ["global_average_pooling2d_1"]))
        ], "output_layers": [["dense_2", 0, 0]]}}
        """

    static func layer(_ cls: String, _ name: String, _ config: String, _ inbound: [String]) -> String {
        let history = inbound.map {
            #"{"class_name": "__keras_tensor__", "config": {"keras_history": [""# + $0 + #"", 0, 0]}}"#
        }
        let config = config.dropLast() + #", "name": ""# + name + #""}"#
        return #"{"class_name": ""# + cls + #"", "name": ""# + name + #"", "config": "# + config
            + #", "inbound_nodes": [{"args": ["# + history.joined(separator: ", ") + "]}]}"
    }

    static func keras(_ text: String) throws(ImportError) -> Model {
        let root = try KerasImporter.decode(Array(text.utf8), file: "shared.keras")
        return try KerasImporter(file: "shared.keras", weights: [:], weightsOptional: true).build(root)
    }

    @Test("a spec and a Keras config of one model build the same layers")
    func specAndKerasAgree() throws {
        let fromSpec = try ModelSpec.parse(Self.spec, file: "shared.yml").model
        let fromKeras = try Self.keras(Self.config)
        #expect(fromSpec.layers.map(\.name) == fromKeras.layers.map(\.name))
        #expect(
            fromSpec.layers.map(\.name) == [
                "rescaling_1", "sep/depthwise", "sep", "layer_normalization_1", "up_sampling2d_1", "pointwise",
                "concatenate_1", "global_average_pooling2d_1", "dense_2",
            ])
        for (a, b) in zip(fromSpec.layers, fromKeras.layers) {
            #expect(CanonicalForm.text(a) == CanonicalForm.text(b), "\(a.name)")
        }
        #expect(fromSpec.inputs == fromKeras.inputs)
        // The rescaling's values are the options', in both, and constants: not counted.
        for model in [fromSpec, fromKeras] {
            #expect(model.parameters["rescaling_1/scale"]?.scalars == [0.5, 0.5, 0.5])
            #expect(model.parameters["rescaling_1/shift"]?.scalars == [-1, 0, 1])
            #expect(model.parameters.parameterCount == model.parameters.count - 6)
        }
        // Dense on a map is a 1×1 convolution at every position, as Keras applies it.
        #expect(fromSpec.layers[5].outputShape == [16, 16, 2])
    }

    @Test("a spec with the shared classes trains: its gradients match finite differences")
    func sharedClassesTrain() throws {
        let model = try ModelSpec.parse(Self.spec, file: "shared.yml").model
        let check = GradientCheck(model: model, input: randomTensor([2, 8, 8, 3], seed: 4))
        let worst = check.worstError()
        #expect(worst.input < 2e-2)
        #expect(worst.parameters < 2e-2)
        // The rescaling's constants get no gradient.
        let gradients = check.analytic().parameters
        for key in ["rescaling_1/scale", "rescaling_1/shift"] {
            #expect(gradients[model.parameters.entry(key)!.range].allSatisfy { $0 == 0 })
        }
    }

    @Test("one option, one check and one message, whichever reader")
    func sameChecks() {
        func spec(_ replaced: String, _ with: String) -> String {
            do {
                _ = try ModelSpec.parse(Self.spec.replacingOccurrences(of: replaced, with: with), file: "s.yml")
                return "no error"
            } catch { return error.description }
        }
        func keras(_ replaced: String, _ with: String) -> String {
            do {
                _ = try Self.keras(Self.config.replacingOccurrences(of: replaced, with: with))
                return "no error"
            } catch { return error.description }
        }
        #expect(
            spec("interpolation: bilinear", "interpolation: cubic")
                == "s.yml:7:50: error: interpolation 'cubic' is not supported; vizsite runs nearest and bilinear")
        #expect(
            keras(#""interpolation": "bilinear""#, #""interpolation": "cubic""#)
                == "shared.keras: error: layer 'up_sampling2d_1' (UpSampling2D): interpolation 'cubic' is not "
                + "supported; vizsite runs nearest and bilinear")
        #expect(
            spec("kernel_size: 3, padding: same", "kernel_size: 9")
                == "s.yml:5:12: error: a 9×9 window does not fit the input (8, 8, 3) of sep")
        #expect(
            keras(#""kernel_size": [3, 3], "strides": [1, 1], "padding": "same""#, #""kernel_size": [9, 9]"#)
                == "shared.keras: error: layer 'sep' (SeparableConv2D): a 9×9 window does not fit the input "
                + "(8, 8, 3) of sep")
        #expect(
            spec("offset: [-1, 0, 1]", "offset: [-1, 0]")
                == "s.yml:4:43: error: offset must be a number or one number per channel (3)")
        #expect(spec("axis: 3", "axis: 0").hasPrefix("s.yml:9:69: error: axis must be from 1 to 3"))
        #expect(
            keras(#""kernel_size": [3, 3]"#, #""kernel_size": "3""#)
                == "shared.keras: error: layer 'sep' (SeparableConv2D): kernel_size must be an integer or a list")
    }
}
