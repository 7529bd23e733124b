import CNN
import Foundation

/// One layer's forward time in `vizsite bench --layers`.
struct LayerTime {
    var index: Int
    var name: String
    /// The layer's kind, with the convolution kernel that runs it (`Conv2D (depthwise)`).
    var kind: String
    var outputShape: [Int]
    var multiplyAccumulates: Int
    var milliseconds: Double
    /// The layer's input-gradient pass (as explanations run it: no parameter gradients).
    var backwardMilliseconds: Double

    /// Achieved floating-point rate, counting a multiply-accumulate as two operations.
    func gigaflops(batch: Int) -> Double {
        milliseconds > 0 ? Double(2 * multiplyAccumulates * batch) / (milliseconds * 1e6) : 0
    }
}

/// Forward time of each layer within whole passes (medians of `repeats`), for `vizsite bench --layers`,
/// with the whole pass and an empty parallel region (what a layer split across threads pays).
func layerTimes(
    _ model: Model, batch: Int, threads: Int, repeats: Int
)
    -> (layers: [LayerTime], whole: Double, emptyRegion: Double)
{
    let ws = Workspace(model: model, capacity: batch)
    var random = SeededRandom(seed: 1)
    for i in 0..<(batch * model.inputShape.elementCount) { ws.input[i] = random.nextUnit() }
    model.forward(ws, batch: batch, threads: threads, outputsOnly: true)
    // Each layer timed inside whole passes, its input just written by the layers before it,
    // as in a real pass (a layer repeated on its own finds its input and weights in cache).
    var samples = [[Double]](repeating: [], count: model.layers.count)
    for _ in 0..<repeats {
        for i in model.layers.indices {
            samples[i].append(
                timed { model.forward(ws, batch: batch, from: i, through: i, threads: threads, outputsOnly: true) }
                    .wall)
        }
    }
    // Backward passes from the logits down to the input, after a forward pass that keeps
    // what they need, each layer timed as it passes its gradient down.
    model.forward(ws, batch: batch, threads: threads)
    let last = model.layers.count - 1, classes = model.classCount
    var seed = SeededRandom(seed: 2)
    var backward = [[Double]](repeating: [], count: model.layers.count)
    for _ in 0..<repeats {
        ws.setGradient(
            of: last, Tensor(shape: [batch, classes], scalars: (0..<(batch * classes)).map { _ in seed.nextUnit() }))
        for i in stride(from: last, through: 0, by: -1) {
            backward[i].append(timed { model.backwardLayer(ws, batch: batch, layer: i, threads: threads) }.wall)
        }
    }
    let rows = model.layers.indices.map { i in
        let times = samples[i]
        let layer = model.layers[i]
        let kernel = (layer as? Conv2D).map { " (\($0.kernel(batch: batch, outputsOnly: true).rawValue))" } ?? ""
        return LayerTime(
            index: i, name: layer.name, kind: layer.kind + kernel, outputShape: layer.outputShape,
            multiplyAccumulates: layer.multiplyAccumulates, milliseconds: median(times) * 1000,
            backwardMilliseconds: median(backward[i]) * 1000)
    }
    let whole = (0..<repeats).map { _ in
        timed { model.forward(ws, batch: batch, threads: threads, outputsOnly: true) }.wall
    }
    let empty = (0..<repeats).map { _ in timed { Parallelism.run(threads) { _ in } }.wall }
    return (rows, median(whole) * 1000, median(empty) * 1000)
}

/// The profile as text: every layer, then the time summed by kind, largest first.
func layerProfile(_ model: Model, batch: Int, threads: Int, repeats: Int) -> String {
    let (rows, whole, empty) = layerTimes(model, batch: batch, threads: threads, repeats: repeats)
    let total = rows.reduce(0) { $0 + $1.milliseconds }, totalBackward = rows.reduce(0) { $0 + $1.backwardMilliseconds }
    var lines = [
        "batch \(batch), \(threads) thread\(threads == 1 ? "" : "s"); GFLOP/s counts a multiply-add as 2; "
            + "backward: the input gradient, as explanations take it"
    ]
    lines.append(
        "   #  kind                     output            ms      %   GFLOP/s  backward ms  name")
    for row in rows {
        let shape = row.outputShape.map(String.init).joined(separator: "×")
        let flops = row.multiplyAccumulates > 0 ? String(format: "%9.1f", row.gigaflops(batch: batch)) : "         "
        lines.append(
            String(format: "%4d  ", row.index) + row.kind.padded(24) + " " + shape.padded(14)
                + String(format: "%8.3f %6.1f ", row.milliseconds, 100 * row.milliseconds / max(total, 1e-9))
                + flops + String(format: " %12.3f", row.backwardMilliseconds) + "  " + row.name)
    }
    lines.append("")
    lines.append("by kind                        layers        ms      %   GFLOP/s  backward ms      %")
    let kinds = Dictionary(grouping: rows, by: \.kind).map { kind, group in
        (
            kind: kind, count: group.count, ms: group.reduce(0) { $0 + $1.milliseconds },
            macs: group.reduce(0) { $0 + $1.multiplyAccumulates },
            back: group.reduce(0) { $0 + $1.backwardMilliseconds }
        )
    }.sorted { $0.ms + $0.back > $1.ms + $1.back }
    for k in kinds {
        let flops = k.macs > 0 ? String(format: "%9.1f", Double(2 * k.macs * batch) / (k.ms * 1e6)) : "         "
        lines.append(
            "      " + k.kind.padded(24)
                + String(format: "%7d %9.3f %6.1f ", k.count, k.ms, 100 * k.ms / max(total, 1e-9)) + flops
                + String(format: " %12.3f %6.1f", k.back, 100 * k.back / max(totalBackward, 1e-9)))
    }
    lines.append(String(format: "      %@ %9.3f %22.3f", "sum of layers".padded(31), total, totalBackward))
    lines.append(String(format: "      %@ %9.3f", "whole pass".padded(31), whole))
    lines.append(String(format: "      %@ %9.3f", "empty parallel region".padded(31), empty))
    return lines.joined(separator: "\n")
}

extension String {
    fileprivate func padded(_ width: Int) -> String {
        count >= width ? self + " " : padding(toLength: width, withPad: " ", startingAt: 0)
    }
}
