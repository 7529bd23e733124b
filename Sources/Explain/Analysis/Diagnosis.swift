import CNN
import Render

/// From a map to a tested conclusion about one decision: the contrast map "predicted rather
/// than rival" (the rival is the true label of a misclassified image, else the runner-up),
/// then an intervention that undoes what the map marks, checked against random pixels.
///
/// Undoing a pixel moves it to the far end of the image's own value range: ink is erased,
/// background painted. The map's positive pixels (the evidence for the predicted class) are
/// undone in the map's order, one more at a time, until the network chooses the rival; the
/// control undoes pixels in random orders. A map that locates the cause needs far fewer.
public struct Diagnosis: Sendable {
    /// What undoing the map's pixels and random pixels did to one decision.
    public struct Result: Sendable {
        public let predicted: Int
        public let rival: Int
        /// The contrast map (predicted − rival) on the input's grid.
        public let explanation: Explanation
        public let map: Heatmap
        public let probabilities: [Float]
        /// The fewest of the map's pixels whose undoing makes the network choose the rival;
        /// nil when `budget` pixels do not.
        public let pixelsNeeded: Int?
        /// The pixels the intervention changed (indices into the `h × w` grid; the first
        /// `pixelsNeeded`, or all it tried), and those of them that were ink.
        public let changedPixels: [Int]
        public let erasedPixels: Set<Int>
        /// How many pixels it changed, erased (ink) and painted (background).
        public var changed: Int { changedPixels.count }
        public var erased: Int { erasedPixels.count }
        public var painted: Int { changed - erased }
        /// The image after the intervention, and the probabilities the network gives it.
        public let edited: Tensor
        public let probabilitiesAfter: [Float]
        /// Per random order: the pixels needed, nil when `budget` did not suffice.
        public let randomPixelsNeeded: [Int?]
        /// The rival's probability after undoing the first k map pixels, k = 0 up to every
        /// pixel tried (the budget, or the map's positive pixels when fewer).
        public let rivalCurve: [Float]

        /// The median over the random orders, an order that never got there counting as more
        /// than any that did; nil when half or more never got there.
        public var randomMedian: Int? {
            let sorted = randomPixelsNeeded.map { $0 ?? Int.max }.sorted()
            guard !sorted.isEmpty else { return nil }
            let m = sorted[(sorted.count - 1) / 2]
            return m == Int.max ? nil : m
        }

        public var verdict: Verdict {
            guard let k = pixelsNeeded else { return .notLocalized }
            if let r = randomMedian, r <= k { return .noBetterThanRandom }
            if erased * 3 >= k * 2 { return .extraInk }
            if painted * 3 >= k * 2 { return .missingInk }
            return .inkAndGaps
        }
    }

    /// What the intervention says about the mistake.
    public enum Verdict: String, Sendable, CaseIterable {
        /// Erasing ink the map marks (at least two thirds of the pixels) turns the decision.
        case extraInk = "extra-ink"
        /// Painting gaps the map marks turns it.
        case missingInk = "missing-ink"
        /// Both.
        case inkAndGaps = "ink-and-gaps"
        /// The map's pixels turn it, but random pixels do so as fast.
        case noBetterThanRandom = "no-better-than-random"
        /// Undoing the map's `budget` strongest pixels does not turn it.
        case notLocalized = "not-localized"
    }

    public var method: any ExplanationMethod
    public var layer: String?
    /// The most pixels an intervention may change.
    public var budget: Int
    /// How many random orders the control tries.
    public var controls: Int
    public var seed: UInt64

    public init(
        method: any ExplanationMethod, layer: String? = nil, budget: Int = 60, controls: Int = 5, seed: UInt64 = 0
    ) {
        self.method = method
        self.layer = layer
        self.budget = budget
        self.controls = controls
        self.seed = seed
    }

    public func run(_ image: ExplainedImage, model: Model) throws(ExplainError) -> Result {
        let logits = model.logits(image.pixels).scalars
        let probabilities = softmax(Tensor(shape: [1, logits.count], scalars: logits)).scalars
        let predicted = logits[...].offsetOfMax
        let rival: Int
        if let label = image.label, label != predicted {
            rival = label
        } else {
            rival = logits.indices.filter { $0 != predicted }.max { logits[$0] < logits[$1] } ?? predicted
        }
        let explanation = try method.explain(
            image, target: .contrast(predicted, rival), layer: layer, model: model)
        let (h, w, c) = (model.inputShape[0], model.inputShape[1], model.inputShape[2])
        let map = explanation.mapOnInput(height: h, width: w)
        let order = map.values.indices.filter { map.values[$0] > 0 }.sorted { map.values[$0] > map.values[$1] }
        let x = image.pixels.scalars
        let (low, high) = (x.min() ?? 0, x.max() ?? 1)
        let undone = Self.undone(x, low: low, high: high, channels: c)

        let tried = Array(order.prefix(budget))
        let (needed, curve) = Self.pixelsNeeded(
            tried, x: x, undone: undone, channels: c, rival: rival, model: model)
        let changed = needed ?? tried.count
        var edited = x
        var erased: Set<Int> = []
        for p in tried.prefix(changed) {
            if Self.isInk(x, p, channels: c, low: low, high: high) { erased.insert(p) }
            for k in 0..<c { edited[p * c + k] = undone[p * c + k] }
        }
        let editedTensor = Tensor(shape: [1, h, w, c], scalars: edited)
        let after = softmax(model.logits(editedTensor)).scalars

        var random = SeededRandom(seed: seed ^ image.contentHash, stream: 0xD1A6)
        let randomNeeded = (0..<controls).map { _ in
            var pixels = Array(0..<(h * w))
            pixels.shuffle(using: &random)
            return Self.pixelsNeeded(
                Array(pixels.prefix(budget)), x: x, undone: undone, channels: c, rival: rival, model: model
            ).needed
        }
        return Result(
            predicted: predicted, rival: rival, explanation: explanation, map: map, probabilities: probabilities,
            pixelsNeeded: needed, changedPixels: Array(tried.prefix(changed)), erasedPixels: erased,
            edited: editedTensor,
            probabilitiesAfter: after, randomPixelsNeeded: randomNeeded, rivalCurve: curve)
    }

    /// Every value moved to the far end of `[low, high]`: ink (a pixel whose channels average
    /// above the middle) to `low`, background to `high`.
    static func undone(_ x: [Float], low: Float, high: Float, channels c: Int) -> [Float] {
        var out = x
        for p in 0..<(x.count / c) {
            let target = isInk(x, p, channels: c, low: low, high: high) ? low : high
            for k in 0..<c { out[p * c + k] = target }
        }
        return out
    }

    static func isInk(_ x: [Float], _ p: Int, channels c: Int, low: Float, high: Float) -> Bool {
        var sum: Float = 0
        for k in 0..<c { sum += x[p * c + k] }
        return sum / Float(c) > (low + high) / 2
    }

    /// Undoes `pixels` one more at a time (all prefixes in one batch): the fewest that make
    /// `rival` the network's choice, and the rival's probability after each prefix (0 first).
    static func pixelsNeeded(
        _ pixels: [Int], x: [Float], undone: [Float], channels c: Int, rival: Int, model: Model
    ) -> (needed: Int?, curve: [Float]) {
        let size = x.count, n = pixels.count + 1
        var batch = [Float](repeating: 0, count: n * size)
        var current = x
        for k in 0..<n {
            if k > 0 {
                let p = pixels[k - 1]
                for j in 0..<c { current[p * c + j] = undone[p * c + j] }
            }
            batch.replaceSubrange((k * size)..<((k + 1) * size), with: current)
        }
        let logits = model.logits(Tensor(shape: [n] + model.inputShape, scalars: batch))
        let probabilities = softmax(logits).scalars, classes = model.classCount
        var needed: Int?
        var curve: [Float] = []
        for k in 0..<n {
            let row = probabilities[(k * classes)..<((k + 1) * classes)]
            curve.append(row[row.startIndex + rival])
            if needed == nil, k > 0, row.offsetOfMax == rival { needed = k }
        }
        return (needed, curve)
    }
}
