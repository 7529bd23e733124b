import CNN
import Render

/// Maps read from a Vision Transformer's attention weights: how much the class token, at
/// the end, draws on each patch token at the start, through every block's attention.
///
/// - Attention rollout (Abnar & Zuidema 2020): each block's attention averaged over its
///   heads, half of it kept for the residual connection (`Â = ½A + ½I`, rows summing to 1),
///   multiplied through the blocks: `R = Â_L ⋯ Â_1`. It does not depend on the class.
/// - Gradient-weighted attention (Chefer, Gur & Wolf 2021, "Generic attention-model
///   explainability"): each block's attention weighted by the gradient of the target's
///   logit, its positive part averaged over the heads, `Ā = E_h[(∇A ⊙ A)⁺]`, accumulated
///   from `R = I` as `R ← R + Ā·R`.
///
/// The map is the class token's row of `R` at the patch tokens, on the patch embedding's
/// grid. The attention layers are the softmaxes inside the model whose output is
/// `[heads, T, T]` (or `[T, T]`) over the `T` tokens.
public struct AttentionFlow: ExplanationMethod {
    public enum Rule: String, Sendable, CaseIterable {
        case rollout
        case gradientWeighted = "attention-gradient"
    }

    public let rule: Rule

    public init(_ rule: Rule) { self.rule = rule }

    /// Rollout reads the attention weights alone, the same for every class.
    public var explainsContrasts: Bool { rule != .rollout }

    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        let name = rule.rawValue
        guard let flow = model.attentionLayers else { throw .noAttention(method: name) }
        if rule == .rollout && target.subtracted != nil { throw .contrastUnsupported(method: name) }
        let engine = GradientEngine(model: model, target: target)
        let last = model.layers.count - 1, classes = model.classCount, tokens = flow.tokens
        let (logits, attention, gradients, k) = try WorkspacePool.with(model, capacity: 1) {
            (ws) throws(ExplainError) -> ([Float], [[Float]], [[Float]], Int) in
            ws.setInput(image.pixels)
            model.forward(ws, batch: 1, threads: Parallelism.workers)
            let logits = ws.output(of: last, batch: 1, shape: [classes]).scalars
            let k = try engine.resolve(target, logits: logits[...], label: image.label)
            let attention = flow.layers.map { ws.output(of: $0, batch: 1, shape: [flow.size]).scalars }
            guard rule == .gradientWeighted else { return (logits, attention, [], k) }
            let seed = model.targetSeed(k, subtract: target.subtracted)
            ws.setGradient(of: last, Tensor(shape: [1, classes], scalars: seed))
            model.backward(ws, batch: 1, from: last, to: flow.layers[0], threads: Parallelism.workers)
            return (logits, attention, flow.layers.map { ws.gradient(of: $0, batch: 1, shape: [flow.size]).scalars }, k)
        }
        var r = Self.identity(tokens)
        for (n, a) in attention.enumerated() {
            let heads = a.count / (tokens * tokens)
            var mixed = [Float](repeating: 0, count: tokens * tokens)
            for h in 0..<heads {
                for i in 0..<tokens * tokens {
                    let v = a[h * tokens * tokens + i]
                    mixed[i] += rule == .rollout ? v : max(gradients[n][h * tokens * tokens + i] * v, 0)
                }
            }
            for i in mixed.indices { mixed[i] /= Float(heads) }
            if rule == .rollout {
                for t in 0..<tokens {
                    var sum: Float = 0
                    for j in 0..<tokens {
                        mixed[t * tokens + j] = 0.5 * mixed[t * tokens + j] + (t == j ? 0.5 : 0)
                        sum += mixed[t * tokens + j]
                    }
                    for j in 0..<tokens { mixed[t * tokens + j] /= sum }
                }
                r = Self.product(mixed, r, tokens)
            } else {
                let step = Self.product(mixed, r, tokens)
                for i in r.indices { r[i] += step[i] }
            }
        }
        let grid = flow.grid
        let values = Array(r[grid.leadingTokens..<tokens])
        return Explanation(
            method: name, layer: nil, targetClass: k,
            map: Heatmap(width: grid.width, height: grid.height, values: values), isSigned: false,
            probabilities: softmax(Tensor(shape: [1, classes], scalars: logits)).scalars,
            placement: model.receptiveFieldPlacement(layer: grid.gridLayer), contrastClass: target.subtracted)
    }

    static func identity(_ n: Int) -> [Float] {
        var m = [Float](repeating: 0, count: n * n)
        for i in 0..<n { m[i * n + i] = 1 }
        return m
    }

    /// `a · b` for square `n × n` matrices.
    static func product(_ a: [Float], _ b: [Float], _ n: Int) -> [Float] {
        var c = [Float](repeating: 0, count: n * n)
        for i in 0..<n {
            for k in 0..<n where a[i * n + k] != 0 {
                let v = a[i * n + k]
                for j in 0..<n { c[i * n + j] += v * b[k * n + j] }
            }
        }
        return c
    }
}

/// A transformer's attention layers and the tokens they weigh.
public struct AttentionLayers: Sendable {
    /// The softmax layers of attention, in order.
    public let layers: [Int]
    /// Tokens `T` (each attention is `[heads, T, T]`).
    public let tokens: Int
    /// Values per sample of each attention layer's output.
    public let size: Int
    /// Where the patch tokens lie on the image.
    public let grid: TokenGrid
}

extension Model {
    /// The attention layers (softmaxes inside the model over `[heads, T, T]`) of a Vision
    /// Transformer whose tokens lie on a patch grid; nil for a model without any, and for
    /// one whose attention is windowed (Swin), through which the class token's row does
    /// not run.
    public var attentionLayers: AttentionLayers? {
        var found: [Int] = [], tokens = 0
        for (i, layer) in layers.enumerated() where layer is Softmax {
            // Every attention weighs the same tokens; a Swin Transformer's windows do not.
            let shape = layer.outputShape.filter { $0 != 1 }
            guard (2...3).contains(shape.count), shape[shape.count - 1] == shape[shape.count - 2],
                tokens == 0 || tokens == shape.last!
            else { return nil }
            tokens = shape.last!
            found.append(i)
        }
        guard let first = found.first else { return nil }
        // The tokens the first attention reads are those of the layer normalization before it.
        guard let norm = layers.indices[..<first].last(where: { tokenGrid(layer: $0) != nil }),
            let grid = tokenGrid(layer: norm), grid.leadingTokens + grid.height * grid.width == tokens
        else { return nil }
        return AttentionLayers(
            layers: found, tokens: tokens, size: layers[first].outputShape.elementCount, grid: grid)
    }
}
