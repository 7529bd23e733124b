import CNN

/// Compares the analytic gradients of `L = Σ R ⊙ output(layer)` with central finite
/// differences, for a sample of input and parameter coordinates.
public struct GradientCheck {
    public var model: Model
    public let input: Tensor
    public let layer: Int
    public let dropout: DropoutKey?
    public let projection: Tensor

    public init(model: Model, input: Tensor, layer: Int? = nil, dropout: DropoutKey? = nil, seed: UInt64 = 11) {
        self.model = model
        self.input = input
        let layer = layer ?? model.layers.count - 1
        self.layer = layer
        self.dropout = dropout
        projection = randomTensor([input.batchSize] + model.layers[layer].outputShape, seed: seed)
    }

    /// L for the current parameters and `x`, accumulated in Double.
    public func loss(_ model: Model, _ x: Tensor) -> Double {
        let ws = Workspace(model: model, capacity: x.batchSize)
        ws.setInput(x)
        model.forward(ws, batch: x.batchSize, through: layer, dropout: dropout)
        let out = ws.output(of: layer, batch: x.batchSize, shape: model.layers[layer].outputShape)
        return zip(out.scalars, projection.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Analytic gradients: (input, parameters).
    public func analytic() -> (input: Tensor, parameters: [Float]) {
        let ws = Workspace(model: model, capacity: input.batchSize)
        ws.setInput(input)
        model.forward(ws, batch: input.batchSize, through: layer, dropout: dropout)
        ws.setGradient(of: layer, projection)
        var grads = [Float](repeating: 0, count: model.parameters.count)
        grads.withUnsafeMutableBufferPointer { g in
            model.backward(
                ws, batch: input.batchSize, from: layer, to: -1, dropout: dropout, parameterGradients: g.baseAddress!)
        }
        return (ws.gradient(of: -1, batch: input.batchSize, shape: model.inputShape), grads)
    }

    /// The worst mismatch, relative to the gradient's scale, over `samples` random input
    /// and parameter coordinates each (parameters only of layers at or below `layer`).
    public func worstError(
        samples: Int = 40, epsilon: Float = 2e-3, seed: UInt64 = 5
    ) -> (input: Double, parameters: Double) {
        let (gx, gp) = analytic()
        var random = SeededRandom(seed: seed)
        func relative(_ numeric: Double, _ exact: Float, scale: Double) -> Double {
            abs(numeric - Double(exact)) / max(scale, 1e-3)
        }
        let xScale = Double(gx.scalars.map { abs($0) }.max() ?? 1)
        var worstX = 0.0
        for _ in 0..<samples {
            let i = Int(random.next() % UInt64(input.count))
            var plus = input, minus = input
            plus.scalars[i] += epsilon; minus.scalars[i] -= epsilon
            let numeric = (loss(model, plus) - loss(model, minus)) / Double(2 * epsilon)
            worstX = max(worstX, relative(numeric, gx.scalars[i], scale: xScale))
        }
        let eligible = model.parameters.entries.filter { $0.layer <= layer && $0.trainable }.flatMap { Array($0.range) }
        let pScale = Double(eligible.map { abs(gp[$0]) }.max() ?? 1)
        var worstP = 0.0
        for _ in 0..<(eligible.isEmpty ? 0 : samples) {
            let i = eligible[Int(random.next() % UInt64(eligible.count))]
            var plus = model, minus = model
            plus.parameters.values[i] += epsilon; minus.parameters.values[i] -= epsilon
            let numeric = (loss(plus, input) - loss(minus, input)) / Double(2 * epsilon)
            worstP = max(worstP, relative(numeric, gp[i], scale: pScale))
        }
        return (worstX, worstP)
    }
}
