import CNN
import Foundation
import Testing
import TestSupport

/// Finite-difference checks of the layers a Vision Transformer is built from, alone and as
/// one attention block from tokens to class scores.
@Suite struct TokenLayerGradientTests {
    func check(_ layers: [any Layer], inputs: [[Int]]? = nil, inputShape: [Int], tolerance: Double = 2e-2) {
        var model = Model(name: "t", inputShape: inputShape, layers: layers, inputs: inputs, seed: 9)
        for entry in model.parameters.entries where entry.initializer == .zeros {
            // Held tensors start at zero; random values make their gradients count.
            let values = randomTensor(entry.shape, seed: 5, low: -0.5, high: 0.5).scalars
            for (i, value) in values.enumerated() { model.parameters.values[entry.offset + i] = value }
        }
        let input = randomTensor([2] + inputShape, seed: 21)
        let worst = GradientCheck(model: model, input: input).worstError()
        #expect(worst.input < tolerance, "input gradient off by \(worst.input)")
        #expect(worst.parameters < tolerance, "parameter gradient off by \(worst.parameters)")
    }

    @Test("transposes of 3 and 4 axes, and gathers along a leading axis with an entry taken twice")
    func routing() {
        check([Transpose(name: "t", inputShape: [2, 3, 4], permutation: [2, 0, 1])], inputShape: [2, 3, 4])
        check([Transpose(name: "t", inputShape: [2, 3, 2, 3], permutation: [1, 3, 0, 2])], inputShape: [2, 3, 2, 3])
        check([Gather(name: "g", inputShape: [4, 3, 2], axis: 0, indices: [3, 1, 3])], inputShape: [4, 3, 2])
        check([Gather(name: "g", inputShape: [4, 3, 2], axis: 1, indices: [2])], inputShape: [4, 3, 2])
    }

    @Test("a transpose moves each value where the permutation says")
    func transposeValues() {
        let layer = Transpose(name: "t", inputShape: [2, 3, 4], permutation: [2, 0, 1])
        #expect(layer.outputShape == [4, 2, 3])
        let x = (0..<24).map(Float.init)
        let y = layer.output(of: [x], parameters: [], batch: 1)
        for a in 0..<2 {
            for b in 0..<3 { for c in 0..<4 { #expect(y[(c * 2 + a) * 3 + b] == x[(a * 3 + b) * 4 + c]) } }
        }
    }

    @Test("a softmax's rows sum to one; matrix products, the held tensors and dense layers on tokens")
    func arithmetic() {
        let softmax = Softmax(name: "s", inputShape: [2, 5])
        let y = softmax.output(of: [(0..<10).map { Float($0) * 0.7 - 2 }], parameters: [], batch: 1)
        #expect(abs(y[0..<5].reduce(0, +) - 1) < 1e-6 && abs(y[5..<10].reduce(0, +) - 1) < 1e-6)
        #expect(abs(y[4] / y[3] - expf(0.7)) < 1e-5)
        check([softmax], inputShape: [2, 5])
        check(
            [Dense(name: "d", inputShape: [3, 4], units: 5, activation: .gelu(approximate: false))], inputShape: [3, 4])
        check([AddTensor(name: "a", inputShape: [3, 4])], inputShape: [3, 4])
        check([PrependTensor(name: "p", inputShape: [3, 4], axis: 0, count: 2)], inputShape: [3, 4])
        check([PrependTensor(name: "p", inputShape: [2, 3, 4], axis: 1, count: 1)], inputShape: [2, 3, 4])
        let a = Dense(name: "a", inputShape: [2, 3, 4], units: 4)
        let at = Transpose(name: "at", inputShape: [2, 3, 4], permutation: [0, 2, 1])
        check(
            [a, at, MatMul(name: "m", inputShapes: [[2, 3, 4], [2, 4, 3]])], inputs: [[-1], [0], [-1, 1]],
            inputShape: [2, 3, 4])
    }

    /// Tokens → query, key, value → softmax(q kᵀ) v → class token, position embedding,
    /// layer norm → the class token's features → scores.
    @Test("one attention block, from tokens to class scores")
    func attentionBlock() {
        let tokens = [5, 4]
        let q = Dense(name: "q", inputShape: tokens, units: 4), k = Dense(name: "k", inputShape: tokens, units: 4)
        let v = Dense(name: "v", inputShape: tokens, units: 4)
        let kt = Transpose(name: "kt", inputShape: [5, 4], permutation: [1, 0])
        let scores = MatMul(name: "qk", inputShapes: [[5, 4], [4, 5]])
        let weights = Softmax(name: "attention", inputShape: [5, 5])
        let mixed = MatMul(name: "av", inputShapes: [[5, 5], [5, 4]])
        let residual = Add(name: "residual", inputShapes: [tokens, tokens])
        let cls = PrependTensor(name: "cls", inputShape: tokens, axis: 0, count: 1)
        let position = AddTensor(name: "position", inputShape: [6, 4])
        let norm = LayerNormalization(name: "norm", inputShape: [6, 4])
        let pick = Gather(name: "pick", inputShape: [6, 4], axis: 0, indices: [0])
        let flat = Reshape(name: "flat", inputShape: [1, 4], outputShape: [4])
        let head = Dense(name: "head", inputShape: [4], units: 3)
        check(
            [q, k, v, kt, scores, weights, mixed, residual, cls, position, norm, pick, flat, head],
            inputs: [[-1], [-1], [-1], [1], [0, 3], [4], [5, 2], [6, -1], [7], [8], [9], [10], [11], [12]],
            inputShape: tokens)
    }
}
