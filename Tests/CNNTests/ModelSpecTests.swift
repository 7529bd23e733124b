import Common
import CNN
import Testing
import TestSupport

@Suite struct ModelSpecTests {
    @Test func referenceSummaryMatchesKeras() throws {
        let spec = try ModelSpec.load(path: PackagePaths.referenceSpec)
        let model = spec.model
        let expected: [(String, String, [Int], Int)] = [
            ("conv2d_1", "Conv2D", [26, 26, 32], 320), ("conv2d_2", "Conv2D", [24, 24, 64], 18496),
            ("max_pooling2d_1", "MaxPooling2D", [12, 12, 64], 0), ("dropout_1", "Dropout", [12, 12, 64], 0),
            ("flatten_1", "Flatten", [9216], 0), ("dense_1", "Dense", [128], 1_179_776),
            ("dropout_2", "Dropout", [128], 0), ("preds", "Dense", [10], 1290),
        ]
        #expect(model.layers.count == expected.count)
        for (i, (name, kind, shape, params)) in expected.enumerated() {
            #expect(model.layers[i].name == name)
            #expect(model.layers[i].kind == kind)
            #expect(model.layers[i].outputShape == shape)
            #expect(model.parameterCount(layer: i) == params)
        }
        #expect(model.parameters.count == 1_199_882)
        // 26·26·9·32 + 24·24·288·64 + 9216·128 + 128·10
        #expect(model.multiplyAccumulates == 194_688 + 10_616_832 + 1_179_648 + 1280)
        let text = model.summary()
        #expect(text.contains("max_pooling2d_1 (MaxPooling2 (None, 12, 12, 64)   0"))
        #expect(text.contains("dense_1 (Dense)              (None, 128)          1179776"))
        #expect(text.contains("Total params: 1,199,882\nTrainable params: 1,199,882\nNon-trainable params: 0"))
        #expect(
            model.training
                == {
                    var t = TrainingSettings(); t.optimizer = .adam; t.learningRate = 1e-3; t.batchSize = 128;
                    t.epochs = 1; t.seed = 10
                    return t
                }())
        #expect(model.parameters.entries.map(\.key).prefix(2) == ["conv2d_1/kernel", "conv2d_1/bias"])
        #expect(model.parameters.entry("dense_1/kernel")?.shape == [9216, 128])
    }

    let valid = """
        name: m
        input: [28, 28, 1]
        layers:
          - type: Conv2D
            filters: 2
            kernel_size: 3
          - type: Flatten
          - type: Dense
            units: 10
        """

    func error(_ text: String, budget: MemoryBudget = .machine) -> String {
        do {
            _ = try ModelSpec.parse(text, file: "m.yml", budget: budget)
            return "no error"
        } catch {
            return error.description
        }
    }

    /// `training.shortcut` plants a mark on one class; its class, size and corner are
    /// checked where they are written.
    @Test func shortcutParsesAndIsChecked() throws {
        let text = valid + "\ntraining:\n  shortcut: {class: 7, size: 2, corner: bottom-right}"
        let spec = try ModelSpec.parse(text, file: "m.yml")
        #expect(spec.model.training.shortcut == Shortcut(label: 7, size: 2, corner: .bottomRight))
        #expect(
            error(valid + "\ntraining:\n  shortcut: {class: 10}")
                == "m.yml:11:21: error: the model has 10 classes; class 10 does not exist")
        #expect(
            error(valid + "\ntraining:\n  shortcut: {class: 1, size: 9}")
                == "m.yml:11:30: error: size must be from 1 to 8 pixels")
        #expect(
            error(valid + "\ntraining:\n  shortcut: {class: 1, corner: top}").hasPrefix(
                "m.yml:11:32: error: unknown value 'top', expected one of top-left, top-right, bottom-left, bottom-right"
            ))
        // A spec without one keeps the key it had before the field existed.
        #expect(try !ModelSpec.parse(valid, file: "m.yml").canonical.contains("shortcut"))
    }

    /// `training.images` and `training.labels` (the data-randomization test's model).
    @Test func trainingSubsetAndShuffledLabelsParseAndAreChecked() throws {
        let spec = try ModelSpec.parse(valid + "\ntraining: {images: 300, labels: shuffled}", file: "m.yml")
        #expect(spec.model.training.images == 300 && spec.model.training.labels == .shuffled)
        // `given` spelled out, like leaving both out, keeps the key specs had before the fields existed.
        let plain = try ModelSpec.parse(valid, file: "m.yml").canonical
        #expect(try ModelSpec.parse(valid + "\ntraining: {labels: given}", file: "m.yml").canonical == plain)
        #expect(!plain.contains("labels") && !plain.contains("images"))
        #expect(
            error(valid + "\ntraining: {labels: random}").hasPrefix(
                "m.yml:10:20: error: unknown value 'random', expected one of given, shuffled"))
        #expect(error(valid + "\ntraining: {images: 0}") == "m.yml:10:20: error: images must be a positive integer")
    }

    /// The mark: a size × size square one pixel in from its corner, at full brightness in
    /// every channel, on the images of its class only.
    @Test func shortcutPlantsTheMark() {
        let s = Shortcut(label: 1, size: 2, corner: .bottomRight)
        #expect(s.pixels(height: 5, width: 6) == [2 * 6 + 3, 2 * 6 + 4, 3 * 6 + 3, 3 * 6 + 4])
        #expect(Shortcut(label: 0, size: 1).pixels(height: 5, width: 6) == [7])
        let set = Dataset(
            images: Tensor(shape: [2, 5, 6, 2], scalars: [Float](repeating: 0.25, count: 120)), labels: [1, 0])
        let marked = s.planted(in: set).images.scalars
        for p in 0..<30 {
            let inMark = s.pixels(height: 5, width: 6).contains(p)
            #expect(marked[p * 2] == (inMark ? 1 : 0.25) && marked[p * 2 + 1] == marked[p * 2])
            #expect(marked[60 + p * 2] == 0.25)
        }
    }

    @Test func validSpecParses() throws {
        let spec = try ModelSpec.parse(valid, file: "m.yml")
        #expect(spec.model.layers.map(\.name) == ["conv2d_1", "flatten_1", "dense_1"])
    }

    @Test func typoInLayerTypeSuggestsTheNearest() {
        #expect(
            error(valid.replacingOccurrences(of: "type: Conv2D", with: "type: Conv2d_"))
                == "m.yml:4:11: error: unknown layer type 'Conv2d_', expected one of Conv2D, DepthwiseConv2D, "
                + "SeparableConv2D, Dense, MaxPooling2D, AveragePooling2D, GlobalAveragePooling2D, GlobalMaxPooling2D, "
                + "BatchNormalization, LayerNormalization, Activation, ReLU, LeakyReLU, Softmax, ZeroPadding2D, "
                + "Cropping2D, UpSampling2D, Rescaling, Add, Multiply, Concatenate, Flatten, Reshape, Dropout; "
                + "did you mean 'Conv2D'?"
        )
    }

    @Test func unknownFieldIsNamed() {
        #expect(
            error(valid.replacingOccurrences(of: "filters: 2", with: "filter: 2"))
                == "m.yml:5:5: error: unknown field 'filter' in a Conv2D layer; expected one of type, name, inputs, filters, kernel_size, strides, padding, "
                + "dilation_rate, groups, activation, use_bias; did you mean 'filters'?"
        )
    }

    @Test func missingFieldIsNamed() {
        #expect(
            error(
                valid.replacingOccurrences(of: "    units: 10\n", with: "").replacingOccurrences(
                    of: "    units: 10", with: ""))
                == "m.yml:8:5: error: a Dense layer is missing the required field 'units'")
    }

    @Test func wrongTypeSaysWhatWasExpected() {
        #expect(
            error(valid.replacingOccurrences(of: "filters: 2", with: "filters: two"))
                == "m.yml:5:14: error: expected an integer, found 'two'")
    }

    @Test func impossibleShapesAreRejected() {
        #expect(
            error(valid.replacingOccurrences(of: "kernel_size: 3", with: "kernel_size: 30"))
                == "m.yml:4:11: error: a 30×30 window does not fit the input (28, 28, 1) of conv2d_1")
        // Dense on a map works position by position, as in Keras: the scores are a map.
        #expect(
            error(valid.replacingOccurrences(of: "  - type: Flatten\n", with: ""))
                == "m.yml:7:5: error: the last layer must output the 10 mnist classes, but it outputs [26, 26, 10]; "
                + "Dense works on a map's last axis, at every position — add a Flatten (or global pooling) before the "
                + "first Dense")
        #expect(
            error(valid.replacingOccurrences(of: "units: 10", with: "units: 9"))
                == "m.yml:8:5: error: the last layer must output the 10 mnist classes, but it outputs [9]")
    }

    @Test("absurd sizes are errors, not allocations (found by hand beside the model-spec fuzzer)")
    func absurdSizesAreRejected() {
        #expect(
            error(valid.replacingOccurrences(of: "units: 10", with: "units: 1000000000000"))
                == "m.yml:9:12: error: units must be at most 65,536, found 1,000,000,000,000")
        #expect(
            error(valid.replacingOccurrences(of: "filters: 2", with: "filters: 60000"))
                == "m.yml:4:5: error: conv2d_1 outputs 40,560,000 values per image; at most 4,000,000 are supported")
        // 81 M parameters fit this machine; on one with 1 GB free the spec is refused where
        // the weights outgrow it, before any is allocated.
        let wide = valid.replacingOccurrences(of: "units: 10", with: "units: 60000\n  - type: Dense\n    units: 10")
        if MemoryBudget.machine.bytes > 4_000_000_000 { #expect(error(wide) == "no error") }
        #expect(
            error(wide, budget: MemoryBudget(bytes: 1_000_000_000))
                == "m.yml:8:5: error: the weights reach 81,180,020 parameters at layer 'dense_1', which need about "
                + "1.9 GB of memory; this machine has 1.0 GB available (to train it: weights, gradients and Adam's "
                + "moments)")
        #expect(
            error(
                valid.replacingOccurrences(
                    of: "kernel_size: 3", with: "kernel_size: 3\n    padding: same\n    strides: 9223372036854775807"))
                == "m.yml:8:14: error: strides must be at most 65,536")
        #expect(
            error(valid.replacingOccurrences(of: "kernel_size: 3", with: "kernel_size: 29"))
                == "m.yml:4:11: error: a 29×29 window does not fit the input (28, 28, 1) of conv2d_1")
    }

    @Test func yamlSyntaxErrorHasAPosition() {
        #expect(error("name: m\nlayers: [\n  - a\n").hasPrefix("m.yml:3:"))
        #expect(error("name: [m\n").contains("error: invalid YAML"))
    }

    @Test func unknownTopLevelKeyAndMissingLayers() {
        #expect(
            error("name: m\ninput: [28, 28, 1]\nlayer: []\n")
                == "m.yml:3:1: error: unknown field 'layer' in a model spec; expected one of name, description, input, dataset, layers, training, weights; did you mean 'layers'?"
        )
        #expect(
            error("name: m\ninput: [28, 28, 1]\n")
                == "m.yml:1:1: error: the model spec is missing the required field 'layers'")
    }

    @Test func trainingSettingsAreChecked() {
        let text = valid + "\ntraining:\n  optimizer: adamw\n"
        #expect(
            error(text) == "m.yml:11:14: error: unknown value 'adamw', expected one of adam, sgd; did you mean 'adam'?")
        #expect(error(valid + "\ntraining:\n  epochs: 0\n") == "m.yml:11:11: error: epochs must be a positive integer")
    }

    @Test func missingFileIsAnError() {
        #expect(throws: SourceError.self) { try ModelSpec.load(path: "/nonexistent/m.yml") }
    }
}
