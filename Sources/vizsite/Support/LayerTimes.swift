import CNN
import Foundation

/// Forward time of each layer on its own (median of `repeats`), for `vizsite bench --layers`.
func layerTimes(_ model: Model, batch: Int, threads: Int, repeats: Int) -> [(name: String, milliseconds: Double)] {
    let ws = Workspace(model: model, capacity: batch)
    var random = SeededRandom(seed: 1)
    for i in 0..<(batch * model.inputShape.elementCount) { ws.input[i] = random.nextUnit() }
    model.forward(ws, batch: batch, threads: threads)
    return model.layers.indices.map { i in
        let times = (0..<repeats).map { _ in timed { model.forward(ws, batch: batch, from: i, through: i, threads: threads) }.wall }
        return (model.layers[i].name, median(times) * 1000)
    }
}
