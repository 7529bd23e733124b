import CNN
import Explain
import Testing
import TestSupport

/// Where CAM methods look when not told: the output of the last block that still has a
/// spatial grid (pytorch-grad-cam's advice), never a layer inside a branch, never a 1×1 map.
@Suite("Default CAM layer")
struct DefaultCAMLayerTests {
    @Test("a plain CNN: its last convolution, before the pooling and dropout that close it")
    func plainCNN() throws {
        let model = try ModelSpec.load(path: PackagePaths.referenceSpec).model
        #expect(model.defaultCAMLayer == "conv2d_2")
        #expect(model.layersOnEveryPath == [Bool](repeating: true, count: model.layers.count))
    }

    @Test("a residual block: the activation after the addition, not the convolution inside the block")
    func residual() {
        let conv1 = Conv2D(name: "conv1", inputShape: [8, 8, 4], filters: 4, kernelSize: (3, 3), padding: .same)
        let conv2 = Conv2D(name: "conv2", inputShape: [8, 8, 4], filters: 4, kernelSize: (3, 3), padding: .same)
        let add = Add(name: "add", inputShapes: [[8, 8, 4], [8, 8, 4]])
        let relu = ActivationLayer(name: "out", inputShape: [8, 8, 4], activation: .relu)
        let pool = GlobalPool2D(name: "gap", inputShape: [8, 8, 4], reduction: .average)
        let dense = Dense(name: "fc", inputShape: [4], units: 3)
        // stem → conv1 → conv2 → add(conv2, stem) → out → gap → fc
        let stem = Conv2D(name: "stem", inputShape: [8, 8, 1], filters: 4, kernelSize: (3, 3), padding: .same)
        let model = Model(
            name: "residual", inputShape: [8, 8, 1], layers: [stem, conv1, conv2, add, relu, pool, dense],
            inputs: [[-1], [0], [1], [2, 0], [3], [4], [5]], seed: 1)
        #expect(model.layersOnEveryPath == [true, false, false, true, true, true, true])
        #expect(model.defaultCAMLayer == "out")
    }

    @Test("two branches joined by a concatenation: the concatenation; after global pooling, a 1×1 map is passed over")
    func branchesAndGlobalPooling() {
        let a = Conv2D(name: "a", inputShape: [6, 6, 2], filters: 3, kernelSize: (1, 1))
        let b = Conv2D(name: "b", inputShape: [6, 6, 2], filters: 3, kernelSize: (3, 3), padding: .same)
        let join = Concatenate(name: "join", inputShapes: [[6, 6, 3], [6, 6, 3]])
        let pool = GlobalPool2D(name: "gap", inputShape: [6, 6, 6], reduction: .average, keepDims: true)
        // Keras MobileNet's classifier: a 1×1 convolution on the pooled [1, 1, c] map.
        let classifier = Conv2D(name: "preds", inputShape: [1, 1, 6], filters: 4, kernelSize: (1, 1))
        let flatten = Flatten(name: "flatten", inputShape: [1, 1, 4])
        let model = Model(
            name: "branches", inputShape: [6, 6, 2], layers: [a, b, join, pool, classifier, flatten],
            inputs: [[-1], [-1], [0, 1], [2], [3], [4]], seed: 1)
        #expect(model.layersOnEveryPath == [false, false, true, true, true, true])
        #expect(model.defaultCAMLayer == "join")
    }

    @Test("a sidecar's cam_layer wins; a model with no spatial layer has none")
    func sidecarAndNone() {
        let dense = Dense(name: "fc", inputShape: [5], units: 2)
        let flat = Model(name: "flat", inputShape: [5], layers: [dense], seed: 1)
        #expect(flat.defaultCAMLayer == nil)
        var named = flat
        named.preferredCAMLayer = "fc"
        #expect(named.defaultCAMLayer == "fc")
    }
}
