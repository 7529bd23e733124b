import CNN
import Foundation

/// Forward time of each layer on its own and of the whole pass (medians of `repeats`), for
/// `vizsite bench --layers`.
func layerTimes(_ model: Model, batch: Int, threads: Int, repeats: Int) -> [(name: String, milliseconds: Double)] {
    let ws = Workspace(model: model, capacity: batch)
    var random = SeededRandom(seed: 1)
    for i in 0..<(batch * model.inputShape.elementCount) { ws.input[i] = random.nextUnit() }
    model.forward(ws, batch: batch, threads: threads, outputsOnly: true)
    var rows: [(name: String, milliseconds: Double)] = model.layers.indices.map { i in
        let times = (0..<repeats).map { _ in
            timed { model.forward(ws, batch: batch, from: i, through: i, threads: threads, outputsOnly: true) }.wall
        }
        let kernel = (model.layers[i] as? Conv2D).map { " (\($0.forwardKernel.rawValue))" } ?? ""
        return (model.layers[i].name + kernel, median(times) * 1000)
    }
    // Also the whole pass, to compare with the sum of the layers timed one at a time.
    let whole = (0..<repeats).map { _ in
        timed { model.forward(ws, batch: batch, threads: threads, outputsOnly: true) }.wall
    }
    rows.append(("(whole pass)", median(whole) * 1000))
    // And what an empty parallel region costs: a layer split across threads pays it once.
    let empty = (0..<repeats).map { _ in timed { Parallelism.run(threads) { _ in } }.wall }
    rows.append(("(empty region)", median(empty) * 1000))
    return rows
}
