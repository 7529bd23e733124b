import CNN
import Foundation
import Testing
import TestSupport

/// Graph models: forward values computed independently, backward to nodes a start does not
/// depend on, batched inference through the predictor, summaries and specs with `inputs`.
@Suite struct GraphModelTests {
    static let residualSpec = """
        name: residual
        input: [28, 28, 1]
        layers:
          - {type: Conv2D, name: stem, filters: 4, kernel_size: 3, strides: 2, padding: same, use_bias: false}
          - {type: BatchNormalization}
          - {type: ReLU, name: stem_relu}
          - {type: Conv2D, filters: 4, kernel_size: 3, padding: same, activation: relu}
          - {type: Conv2D, filters: 4, kernel_size: 3, padding: same}
          - {type: Add, name: join, inputs: [stem_relu, conv2d_3]}
          - {type: Activation, activation: relu}
          - {type: Concatenate, inputs: [activation_1, stem_relu]}
          - {type: DepthwiseConv2D, kernel_size: 3, depth_multiplier: 2}
          - {type: ZeroPadding2D, padding: 1}
          - {type: AveragePooling2D, pool_size: 2}
          - {type: GlobalAveragePooling2D}
          - {type: Dense, name: preds, units: 10, activation: softmax}
        """

    /// `backwardLayer` (the profile's per-layer backward) gives each layer's input gradient as
    /// the whole backward pass computes it.
    @Test func oneLayersBackwardAloneMatchesTheWholePass() {
        let model = tinyModel(seed: 5)
        let ws = Workspace(model: model, capacity: 2)
        ws.setInput(randomTensor([2, 28, 28, 1], seed: 6))
        model.forward(ws, batch: 2)
        let last = model.layers.count - 1
        ws.setGradient(of: last, randomTensor([2, model.classCount], seed: 7))
        model.backward(ws, batch: 2, from: last, to: -1)
        for i in model.layers.indices {
            let shape = i == 0 ? model.inputShape : model.layers[i - 1].outputShape
            let whole = ws.gradient(of: i - 1, batch: 2, shape: shape).scalars
            ws.setGradient(of: i - 1, Tensor(shape: [2] + shape, scalars: Array(repeating: .nan, count: whole.count)))
            model.backwardLayer(ws, batch: 2, layer: i)
            #expect(ws.gradient(of: i - 1, batch: 2, shape: shape).scalars == whole, "layer \(i)")
            #expect(whole.contains { $0 != 0 })
        }
    }

    @Test func specBuildsTheGraphAndTheSummaryShowsIt() throws {
        let spec = try ModelSpec.parse(Self.residualSpec, file: "r.yml")
        let model = spec.model
        #expect(!model.isChain)
        #expect(model.inputs[5] == [2, 4])
        #expect(model.inputs[7] == [6, 2])
        #expect(model.consumers(of: 2) == [3, 5, 7])
        #expect(model.layers[8].outputShape == [12, 12, 16])
        #expect(model.layers[8].kind == "DepthwiseConv2D")
        // BatchNormalization: 4 gamma + 4 beta trainable, 8 moving statistics not.
        let summary = model.summary()
        #expect(summary.contains("Connected to"))
        let lines = summary.split(separator: "\n").map(String.init)
        let join = try #require(lines.firstIndex { $0.hasPrefix("join (Add) ") })
        #expect(lines[join].hasSuffix("(None, 14, 14, 4)    0           stem_relu[0][0]"))
        // The second input on its own line, in the same column; the name column fits the longest row.
        #expect(lines[join + 1] == String(repeating: " ", count: lines[join].count - 15) + "conv2d_3[0][0]")
        #expect(lines.contains { $0.hasPrefix("global_average_pooling2d_1 (GlobalAveragePooling2D) (None, 16)") })
        #expect(summary.contains("input (InputLayer)"))
        #expect(summary.contains("Non-trainable params: 8"))
        #expect(summary.contains("Total params: \((model.parameters.count).grouped)"))
        // Initial values: BatchNorm's gamma and moving variance 1, beta and moving mean 0.
        #expect(model.parameters["batch_normalization_1/gamma"]!.scalars == [1, 1, 1, 1])
        #expect(model.parameters["batch_normalization_1/moving_variance"]!.scalars == [1, 1, 1, 1])
        #expect(model.parameters["stem/bias"] == nil)
        // A chain keeps Keras's Sequential summary.
        #expect(!tinyModel().summary().contains("Connected to"))
    }

    @Test func specGraphErrorsArePositioned() {
        func error(_ replace: String, _ with: String) -> String {
            do {
                _ = try ModelSpec.parse(Self.residualSpec.replacingOccurrences(of: replace, with: with), file: "r.yml")
                return "no error"
            } catch { return error.description }
        }
        #expect(
            error("inputs: [stem_relu, conv2d_3]", "inputs: [stem_rleu, conv2d_3]")
                == "r.yml:9:38: error: no earlier layer is named 'stem_rleu'; a layer can read 'input' or the layers "
                + "above it; did you mean 'stem_relu'?")
        #expect(
            error("inputs: [stem_relu, conv2d_3]", "inputs: [input, conv2d_3]")
                == "r.yml:9:37: error: Add needs inputs of one shape, found (28, 28, 1) and (14, 14, 4)")
        #expect(
            error("{type: Activation, activation: relu}", "{type: Activation, activation: softmax}")
                == "r.yml:10:36: error: softmax is only supported on the last layer: vizsite explains the logits "
                + "that feed it")
        #expect(
            error("{type: GlobalAveragePooling2D}", "{type: GlobalAveragePooling2D, inputs: [join, stem]}")
                == "r.yml:15:44: error: GlobalAveragePooling2D reads one input, but 'inputs' lists 2")
        #expect(
            error("inputs: [activation_1, stem_relu]", "inputs: [activation_1, input]")
                == "r.yml:11:33: error: Concatenate needs inputs that differ only along axis -1, found "
                + "(14, 14, 4) and (28, 28, 1)")
        #expect(
            error("{type: Add, name: join, inputs: [stem_relu, conv2d_3]}", "{type: Add, name: join}")
                == "r.yml:9:12: error: Add needs at least two inputs, listed in 'inputs'")
        // A product of two maps of one shape is as valid as their sum.
        #expect(error("{type: Add, name: join,", "{type: Multiply, name: join,") == "no error")
        #expect(
            error(
                "{type: Add, name: join, inputs: [stem_relu, conv2d_3]}", "{type: Multiply, inputs: [stem_relu, input]}"
            )
                == "r.yml:9:30: error: Multiply needs two inputs of one shape, or a map and a per-channel [1, 1, C] "
                + "gate, found (14, 14, 4) and (28, 28, 1)")
        #expect(
            error("{type: ReLU, name: stem_relu}", "{type: ReLU, name: stem_relu, activation: relu}")
                == "r.yml:6:35: error: unknown field 'activation' in a ReLU layer; expected one of type, name, "
                + "inputs, max_value, negative_slope, threshold")
    }

    /// Forward values from the definitions: BatchNorm's affine map, an average pool that
    /// skips padding, the channel order of a concatenation and a residual sum.
    @Test func forwardValuesFollowTheDefinitions() {
        let bn = BatchNormalization(name: "bn", inputShape: [2], epsilon: 0.01)
        let cat = Concatenate(name: "cat", inputShapes: [[2], [2]])
        let add = Add(name: "add", inputShapes: [[2], [2]])
        var model = Model(
            name: "m", inputShape: [2], layers: [bn, cat, add], inputs: [[-1], [0, -1], [0, -1]], seed: 1)
        model.parameters.set("bn/gamma", Tensor(shape: [2], scalars: [2, 3]))
        model.parameters.set("bn/beta", Tensor(shape: [2], scalars: [0.5, -1]))
        model.parameters.set("bn/moving_mean", Tensor(shape: [2], scalars: [1, -2]))
        model.parameters.set("bn/moving_variance", Tensor(shape: [2], scalars: [0.99, 3.99]))
        let outputs = model.outputs(Tensor(shape: [1, 2], scalars: [3, 0]))
        // (3 − 1) / √1 · 2 + 0.5 = 4.5; (0 + 2) / √4 · 3 − 1 = 2.
        #expect(maxAbsDifference(outputs[0].scalars, [4.5, 2]) < 1e-5)
        #expect(maxAbsDifference(outputs[1].scalars, [4.5, 2, 3, 0]) < 1e-5)
        #expect(maxAbsDifference(outputs[2].scalars, [7.5, 2]) < 1e-5)

        let pool = AveragePool2D(name: "p", inputShape: [3, 3, 1], poolSize: (2, 2), padding: .same)
        let pooled = Model(name: "p", inputShape: [3, 3, 1], layers: [pool], seed: 1)
            .outputs(Tensor(shape: [1, 3, 3, 1], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9]))[0]
        // Windows at rows/cols {0,1} and {2}: padding cells are not counted.
        #expect(pooled.scalars == [3, 4.5, 7.5, 9])
        let included = AveragePool2D(
            name: "p", inputShape: [3, 3, 1], poolSize: (2, 2), strides: (2, 2),
            pads: Pads(top: 0, bottom: 1, left: 0, right: 1), countIncludePad: true)
        let sums = Model(name: "p", inputShape: [3, 3, 1], layers: [included], seed: 1)
            .outputs(Tensor(shape: [1, 3, 3, 1], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9]))[0]
        #expect(sums.scalars == [3, 2.25, 3.75, 2.25] as [Float])
    }

    /// A grouped, dilated, padded convolution against a loop over its definition.
    @Test func groupedDilatedConvolutionMatchesItsDefinition() {
        let layer = Conv2D(
            name: "c", inputShape: [6, 7, 4], filters: 6, kernelSize: (2, 3), strides: (2, 1),
            pads: Pads(top: 1, bottom: 0, left: 2, right: 1), dilations: (2, 2), groups: 2)
        var model = Model(name: "m", inputShape: [6, 7, 4], layers: [layer], seed: 3)
        model.parameters.set("c/bias", randomTensor([6], seed: 4))
        let x = randomTensor([2, 6, 7, 4], seed: 5)
        let kernel = model.parameters["c/kernel"]!, bias = model.parameters["c/bias"]!
        let out = layer.outputShape
        #expect(out == [3, 6, 6])
        var expected: [Float] = []
        for b in 0..<2 {
            for oy in 0..<out[0] {
                for ox in 0..<out[1] {
                    for f in 0..<6 {
                        let g = f / 3
                        var sum = bias.scalars[f]
                        for ky in 0..<2 {
                            for kx in 0..<3 {
                                let iy = oy * 2 - 1 + ky * 2, ix = ox - 2 + kx * 2
                                guard (0..<6).contains(iy) && (0..<7).contains(ix) else { continue }
                                for c in 0..<2 {
                                    sum +=
                                        x.scalars[((b * 6 + iy) * 7 + ix) * 4 + g * 2 + c]
                                        * kernel.scalars[((ky * 3 + kx) * 2 + c) * 6 + f]
                                }
                            }
                        }
                        expected.append(sum)
                    }
                }
            }
        }
        #expect(maxAbsDifference(model.outputs(x)[0].scalars, expected) < 1e-5)
    }

    /// Backward to a node the start does not depend on gives zeros, not stale values; a
    /// gradient to the model input through a residual block equals the sum of its paths.
    @Test func backwardVisitsOnlyWhatTheStartDependsOn() {
        let a = Dense(name: "a", inputShape: [3], units: 3)
        let b = Dense(name: "b", inputShape: [3], units: 3)
        let add = Add(name: "add", inputShapes: [[3], [3]])
        var model = Model(name: "m", inputShape: [3], layers: [a, b, add], inputs: [[-1], [-1], [0, 1]], seed: 2)
        model.parameters.set("a/kernel", Tensor(shape: [3, 3], scalars: [1, 0, 0, 0, 2, 0, 0, 0, 3]))
        model.parameters.set("b/kernel", Tensor(shape: [3, 3], scalars: [0, 1, 0, 1, 0, 0, 0, 0, -1]))
        let ws = Workspace(model: model, capacity: 1)
        ws.setInput(Tensor(shape: [1, 3], scalars: [1, 1, 1]))
        model.forward(ws, batch: 1)
        ws.setGradient(of: 1, Tensor(shape: [1, 3], scalars: [9, 9, 9]))
        ws.setGradient(of: 0, Tensor(shape: [1, 3], scalars: [7, 7, 7]))  // stale
        ws.setGradient(of: 2, Tensor(shape: [1, 3], scalars: [1, 1, 1]))
        model.backward(ws, batch: 1, from: 2, to: -1)
        // d sum / dx = rowsums of A + B: A diag(1, 2, 3), B swaps 0 and 1 and negates 2.
        #expect(ws.gradient(of: -1, batch: 1, shape: [3]).scalars == [2, 3, 2])
        // add(a, input) does not depend on b: b's output gets zeros, not the stale 9s.
        let skip = Model(name: "s", inputShape: [3], layers: [a, b, add], inputs: [[-1], [-1], [0, -1]], seed: 2)
        let skipSpace = Workspace(model: skip, capacity: 1)
        skipSpace.setInput(Tensor(shape: [1, 3], scalars: [1, 1, 1]))
        skip.forward(skipSpace, batch: 1)
        skipSpace.setGradient(of: 1, Tensor(shape: [1, 3], scalars: [9, 9, 9]))
        skipSpace.setGradient(of: 2, Tensor(shape: [1, 3], scalars: [1, 1, 1]))
        skip.backward(skipSpace, batch: 1, from: 2, to: 1)
        #expect(skipSpace.gradient(of: 1, batch: 1, shape: [3]).scalars == [0, 0, 0])
    }

    /// Batched inference (shards, micro-batches) equals one plain forward pass.
    @Test func predictorRunsGraphs() throws {
        let model = try ModelSpec.parse(Self.residualSpec, file: "r.yml").model
        let x = randomTensor([37, 28, 28, 1], seed: 7, low: 0, high: 1)
        let plain = model.outputs(x).last!
        #expect(maxAbsDifference(model.logits(x, batchSize: 16).scalars, plain.scalars) < 1e-4)
    }

    /// Receptive-field centres follow the first input back through the graph.
    @Test func receptiveFieldsThroughTheGraph() throws {
        let model = try ModelSpec.parse(Self.residualSpec, file: "r.yml").model
        // stem: 3×3, stride 2, same on 28 → pads 0 before (total 1: 0 top, 1 bottom).
        #expect(
            model.receptiveFieldCentres(layer: 5)
                == ReceptiveFieldCentres(offsetX: 1, offsetY: 1, strideX: 2, strideY: 2))
        // Depthwise 3×3 valid: offset 1 + 2 · 1; padding 1 back by one step; pool 2 adds half a step.
        #expect(
            model.receptiveFieldCentres(layer: 10)
                == ReceptiveFieldCentres(offsetX: 2, offsetY: 2, strideX: 4, strideY: 4))
    }

    /// Training a BatchNorm model: one shard, batch statistics folded into the moving ones.
    @Test func batchNormalizationTrainingUpdatesMovingStatistics() throws {
        let spec = """
            name: bn
            input: [28, 28, 1]
            layers:
              - {type: Flatten}
              - {type: Dense, units: 3, name: hidden}
              - {type: BatchNormalization, name: bn, momentum: 0.9}
              - {type: Dense, name: preds, units: 10, activation: softmax}
            training: {optimizer: sgd, learning_rate: 0.1, batch_size: 8, seed: 4}
            """
        let model = try ModelSpec.parse(spec, file: "bn.yml").model
        let data = sharedMNIST.train.prefix(8)
        let hidden = model.outputs(data.images)[1].scalars
        let trainer = Trainer(model: model)
        trainer.trainStep(data: data, indices: Array(0..<8)[...])
        for k in 0..<3 {
            let column = (0..<8).map { Double(hidden[$0 * 3 + k]) }
            let mean = column.reduce(0, +) / 8
            let variance = column.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 8
            let movingMean = Double(trainer.model.parameters["bn/moving_mean"]!.scalars[k])
            let movingVariance = Double(trainer.model.parameters["bn/moving_variance"]!.scalars[k])
            #expect(abs(movingMean - 0.1 * mean) < 1e-5, "channel \(k)")
            #expect(abs(movingVariance - (0.9 + 0.1 * variance)) < 1e-4, "channel \(k)")
        }
        // Trainable values moved; the step's gradient reached the first Dense through BatchNorm.
        #expect(trainer.model.parameters["hidden/kernel"] != model.parameters["hidden/kernel"])
        #expect(trainer.model.parameters["bn/gamma"] != model.parameters["bn/gamma"])
    }
}
