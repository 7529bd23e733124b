import CNN
import Testing
import TestSupport

@testable import Explain

/// Constants of a graph (a Rescaling's 1/255, attention's 1/√d) are held as parameters but
/// are none: not counted, not trained, not redrawn by a randomization test.
@Suite struct ParameterRoleTests {
    /// input [2, 2, 3] → a layer scale (learned scale, constant zero shift) → a rescaling
    /// (constants) → flatten → dense.
    static func model() -> Model {
        let input = [2, 2, 3]
        var model = Model(
            name: "roles", inputShape: input,
            layers: [
                ChannelAffine(
                    name: "layer_scale", inputShape: input, kind: "LayerScale", scale: .learned, shift: .constant),
                ChannelAffine(
                    name: "rescaling", inputShape: input, kind: "Rescaling", scale: .constant, shift: .constant),
                Flatten(name: "flatten", inputShape: input),
                Dense(name: "dense", inputShape: [12], units: 2),
            ],
            seed: 3)
        model.parameters.set("layer_scale/scale", Tensor(shape: [3], scalars: [0.5, 2, -1]))
        model.parameters.set("rescaling/scale", Tensor(shape: [3], scalars: [1 / 255, 1 / 255, 1 / 255]))
        model.parameters.set("rescaling/shift", Tensor(shape: [3], scalars: [-1, -1, -1]))
        return model
    }

    @Test func constantsAreNotCountedAsParameters() {
        let model = Self.model()
        // 3 learned scales and the dense layer's 12 × 2 + 2; 3 + 6 constants held besides.
        #expect(model.parameters.count == 3 + 3 + 6 + 26)
        #expect(model.parameters.parameterCount == 3 + 26)
        #expect(model.parameters.trainableCount == 3 + 26)
        #expect(model.parameterCount(layer: 0) == 3)
        #expect(model.parameterCount(layer: 1) == 0)
        let summary = model.summary()
        #expect(summary.contains("Total params: 29\nTrainable params: 29\nNon-trainable params: 0"))
    }

    @Test func onlyLearnedValuesGetGradients() {
        let model = Self.model()
        let check = GradientCheck(model: model, input: randomTensor([2, 2, 2, 3], seed: 8))
        let gradients = check.analytic().parameters
        for entry in model.parameters.entries {
            let nonzero = gradients[entry.range].contains { $0 != 0 }
            #expect(nonzero == entry.trainable, "\(entry.key)")
        }
        // The learned ones are right: finite differences over them agree.
        #expect(check.worstError().parameters < 1e-2)
    }

    @Test func randomizationKeepsConstants() {
        let model = Self.model()
        let fresh = SanityCheck.fresh(model, seed: 9)
        var randomized = model
        for layer in model.layers.indices { SanityCheck.randomize(&randomized, layer: layer, from: fresh, seed: 9) }
        for entry in model.parameters.entries {
            let kept = randomized.parameters[entry.key] == model.parameters[entry.key]
            #expect(kept == (entry.role == .constant), "\(entry.key)")
        }
    }
}
