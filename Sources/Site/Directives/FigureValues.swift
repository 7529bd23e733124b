import CNN
import Explain
import Foundation
import Render

// The raw values of every figure, as its JSON file (linked "raw values (JSON)" under the
// caption) holds them. One schema throughout, documented in README.md:
// - keys are snake_case; each figure's object names what it shows (`method`, `layer`,
//   `target`, `images`, …);
// - every 2-D map is a `MapValues`: `shape` [rows, columns] and `values` as rows of
//   numbers, at the map's own resolution, unnormalized;
// - an image is named by its selector (`test[3]`) or PNG path, with its `label` (null
//   for a PNG);
// - a value that does not apply is null, never missing.

/// A 2-D map: its shape and its values as rows.
public struct MapValues: Encodable, Equatable, Sendable {
    public let shape: [Int]
    public let values: [[Double]]

    public init(_ map: Heatmap) {
        shape = [map.height, map.width]
        values = (0..<map.height).map { y in (0..<map.width).map { x in Double(map[x, y]) } }
    }
}

/// An optional that encodes as an explicit `null` (synthesized Encodable would drop the key).
@propertyWrapper
public struct ExplicitNull<Value: Encodable & Equatable & Sendable>: Encodable, Equatable, Sendable {
    public var wrappedValue: Value?
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// One explained image: what saliency, cam and occlusion figures (and `vizsite explain
/// --json`) write per image.
public struct ExplanationValues: Encodable, Equatable, Sendable {
    public let image: String
    @ExplicitNull public var label: Int?
    public let target: Int
    /// For a contrast (`target: a-b`), the class whose score was subtracted; else null.
    @ExplicitNull public var contrast: Int?
    @ExplicitNull public var layer: String?
    public let probabilities: [Double]
    /// Where the map lies on the input, as the figure's notes say it.
    public let placement: String
    public let map: MapValues

    init(_ image: SelectedImage, _ e: Explanation) {
        self.init(image: image.name, label: image.label, e)
    }

    public init(image: String, label: Int?, _ e: Explanation) {
        self.image = image
        self.label = label
        target = e.targetClass
        contrast = e.contrastClass
        layer = e.layer
        probabilities = e.probabilities.map(Double.init)
        placement = e.placement.note
        map = MapValues(e.map)
    }
}

/// Values over images: each one, their mean and their range.
struct ValueSummary: Encodable {
    let perImage: [Double]
    let mean: Double
    let min: Double
    let max: Double
    init(_ values: [Double]) {
        perImage = values
        mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
        min = values.min() ?? 0
        max = values.max() ?? 0
    }
}

/// How a map's magnitude divides: the share that is negative and, against an image's ink
/// (`SelectedImage.inkMask`), the share on the ink and the share of the positive mass off it.
struct MapShares {
    let negative: Double
    let onInk: Double
    let positiveOffInk: Double

    init(_ values: [Float], ink: [Bool] = []) {
        let total = values.reduce(0.0) { $0 + Double(abs($1)) }
        let negative = values.reduce(0.0) { $0 + ($1 < 0 ? Double(-$1) : 0) }
        let on = zip(values, ink).reduce(0.0) { $0 + ($1.1 ? Double(abs($1.0)) : 0) }
        let positiveOff = zip(values, ink).reduce(0.0) { $0 + (!$1.1 && $1.0 > 0 ? Double($1.0) : 0) }
        self.negative = total > 0 ? negative / total : 0
        onInk = total > 0 ? on / total : 0
        positiveOffInk = total - negative > 0 ? positiveOff / (total - negative) : 0
    }
}

extension SelectedImage {
    /// Which input pixels have ink (a non-zero gray value).
    var inkMask: [Bool] { explained.gray.values.map { $0 > 0 } }
}

/// Which cells of a map on a layer's grid see ink: a cell's receptive field, `field`
/// pixels centred where `placement` puts it, holds a pixel of `ink`.
struct InkReach {
    let seesInk: [Bool]

    init(ink: [Bool], height: Int, width: Int, placement: MapPlacement, field: (height: Int, width: Int), map: Heatmap)
    {
        guard case .centres(let offsetX, let offsetY, let strideX, let strideY) = placement else {
            seesInk = Array(repeating: false, count: map.values.count)
            return
        }
        var sees = [Bool](repeating: false, count: map.values.count)
        for i in 0..<map.height {
            for j in 0..<map.width {
                // The window's first pixel: centre minus half the field (a centre between
                // pixels, for an even field, rounds the window up).
                let top = Int((offsetY + strideY * Double(i) - Double(field.height - 1) / 2).rounded(.up))
                let left = Int((offsetX + strideX * Double(j) - Double(field.width - 1) / 2).rounded(.up))
                search: for y in max(top, 0)..<min(top + field.height, height) {
                    for x in max(left, 0)..<min(left + field.width, width) where ink[y * width + x] {
                        sees[i * map.width + j] = true
                        break search
                    }
                }
            }
        }
        seesInk = sees
    }
}

/// The smallest and largest of `values`, as the raw values' `_range` fields give them.
func extent(_ values: [Double]) -> [Double] { [values.min() ?? 0, values.max() ?? 0] }

/// saliency, cam and occlusion.
struct AttributionValues: Encodable {
    /// Where a map's mass lies against the image's ink (its non-zero pixels), on the input's
    /// grid (a CAM's cells placed over their receptive fields): per image, then the range.
    struct Ink: Encodable {
        /// Per image, in order: the share of the input's pixels that have ink, and the share
        /// of the map's magnitude that lies on them.
        let inkShare: [Double]
        let massOnInk: [Double]
        let inkShareRange: [Double]
        let massOnInkRange: [Double]
        /// For a map on a layer's grid (a CAM's), the share of its magnitude on cells whose
        /// receptive field holds ink, per image and [min, max]; null for a map on the input.
        @ExplicitNull var massSeeingInk: [Double]?
        @ExplicitNull var massSeeingInkRange: [Double]?

        init(_ images: [SelectedImage], _ explanations: [Explanation], model: Model) {
            let (height, width) = (model.inputShape[0], model.inputShape[1])
            var inkShare: [Double] = [], massOnInk: [Double] = [], seeing: [Double] = []
            for (image, e) in zip(images, explanations) {
                let ink = image.inkMask
                inkShare.append(Double(ink.filter { $0 }.count) / Double(max(ink.count, 1)))
                massOnInk.append(MapShares(e.mapOnInput(height: height, width: width).values, ink: ink).onInk)
                if case .centres = e.placement, e.placement != .identity, let layer = e.layer,
                    let index = model.layerIndex(named: layer)
                {
                    let cells = InkReach(
                        ink: ink, height: height, width: width, placement: e.placement,
                        field: model.receptiveFieldSize(layer: index), map: e.map)
                    seeing.append(MapShares(e.map.values, ink: cells.seesInk).onInk)
                }
            }
            self.inkShare = inkShare
            self.massOnInk = massOnInk
            inkShareRange = extent(inkShare)
            massOnInkRange = extent(massOnInk)
            if seeing.count == images.count && !seeing.isEmpty {
                massSeeingInk = seeing
                massSeeingInkRange = extent(seeing)
            }
        }

        enum CodingKeys: String, CodingKey {
            case inkShare, massOnInk, inkShareRange, massOnInkRange, massSeeingInk, massSeeingInkRange
        }
    }
    let method: String
    /// The method's parameters as resolved (SmoothGrad's samples, noise and aggregate, …).
    let settings: [String: String]
    let images: [ExplanationValues]
    let ink: Ink
    /// For a contrast target k − j, per image, Pearson's correlation of the maps of class
    /// k and of class j alone; absent otherwise.
    var classCorrelation: [Double]? = nil
}

/// compare: one entry per image and method.
struct CompareValues: Encodable {
    struct Entry: Encodable {
        let method: String
        let explanation: ExplanationValues
        func encode(to encoder: any Encoder) throws {
            try explanation.encode(to: encoder)
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(method, forKey: .method)
        }
        enum Key: String, CodingKey { case method }
    }
    /// Per method, over the images in order: what each map adds up to (an attribution with a
    /// budget adds up to a difference of logits) and the share of its magnitude that is
    /// negative, with their ranges.
    struct Summary: Encodable {
        typealias Values = ValueSummary
        let method: String
        let sum: Values
        let negativeShare: Values
    }
    let target: String
    let maps: [Entry]
    let methods: [Summary]

    init(target: String, maps: [Entry], explanations: [(method: String, map: Heatmap)]) {
        self.target = target
        self.maps = maps
        var order: [String] = []
        for e in explanations where !order.contains(e.method) { order.append(e.method) }
        methods = order.map { method in
            let mine = explanations.filter { $0.method == method }.map(\.map.values)
            return Summary(
                method: method,
                sum: Summary.Values(mine.map { $0.reduce(0.0) { $0 + Double($1) } }),
                negativeShare: Summary.Values(mine.map { MapShares($0).negative }))
        }
    }
}

/// faithfulness.
struct FaithfulnessValues: Encodable {
    struct Method: Encodable {
        let method: String
        let deletion: [Double]
        let insertion: [Double]
        let deletionAuc: Double
        let insertionAuc: Double
    }
    let images: [String]
    let steps: Int
    let methods: [Method]
}

/// sanity-check.
struct SanityCheckValues: Encodable {
    /// Undefined values (a measure of constant maps) are null.
    struct Similarity: Encodable {
        let measure: String
        /// Per stage, averaged over images and seeds (the trained model's 1 first).
        let mean: [Double?]
        let noiseFloor: Double?
        let perSeed: [[Double?]]
        let noiseFloorPerSeed: [Double?]
    }
    struct Method: Encodable {
        let method: String
        let similarities: [Similarity]
    }
    let images: [String]
    let stages: [String]
    let order: String
    let seeds: [Int]
    let methods: [Method]
}

/// mean-heatmaps: one map per class.
struct MeanHeatmapsValues: Encodable {
    let method: String
    let countPerClass: Int
    let target: String
    let maps: [MapValues]
}

/// The JSON encoder of figure values: sorted keys, snake_case.
public enum FigureJSON {
    public static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return try encoder.encode(value)
    }
}

/// filters: the kernel slices of one input channel.
struct FiltersValues: Encodable {
    let layer: String
    let inputChannel: Int
    let kernels: [MapValues]
    /// Each filter's bias (null for a convolution without biases).
    @ExplicitNull var biases: [Double]?
    /// For a layer reading the input (pixels in [0, 1]): the filters whose output is never
    /// positive on any input, so their ReLU never fires (null for other layers).
    @ExplicitNull var neverFire: [Int]?
}

/// filters of a first layer reading an RGB image: each kernel's three channel slices, in
/// the model's channel order, and the weight drawn at full brightness.
struct ColourFiltersValues: Encodable {
    let layer: String
    let channelOrder: String
    let scale: Double
    let kernels: [[MapValues]]
}

/// feature-maps: one map per channel.
struct FeatureMapsValues: Encodable {
    let layer: String
    let image: String
    let maps: [MapValues]
}

/// maximize: the optimized input of each unit, or of one unit under several regularizers.
struct MaximizeValues: Encodable {
    struct Result: Encodable {
        @ExplicitNull var unit: Int?
        @ExplicitNull var variant: String?
        /// `ascent` (pixels, L2, TV, jitter: the three numbers below) or Lucid's
        /// (`lucid fourier+transforms`, with `diversity 1 ×4` when several images).
        let optimizer: String
        let l2: Double
        let tv: Double
        let jitter: Int
        let activation: Double
        let image: MapValues
    }
    /// With several images per unit (Lucid's diversity): per unit, the mean of Pearson's
    /// correlation over every pair of its images, and their activations [min, max].
    struct Diversity: Encodable {
        let unit: Int
        let meanPairwiseCorrelation: Double
        let activationRange: [Double]
    }
    let layer: String
    let steps: Int
    let seed: Int
    let results: [Result]
    /// Absent with one image per unit.
    var diversity: [Diversity]? = nil
}

/// predictions and samples: per image, its label and the model's answer.
struct PredictionValues: Encodable {
    struct Image: Encodable {
        let image: String
        @ExplicitNull var label: Int?
        @ExplicitNull var predicted: Int?
        @ExplicitNull var probabilities: [Double]?
    }
    let images: [Image]
}

/// summary and architecture.
struct ModelValues: Encodable {
    struct Layer: Encodable {
        let name: String
        let type: String
        let outputShape: [Int]
        let parameters: Int
        /// The layers it reads (`input`: the model's input).
        let inputs: [String]
    }
    let model: String
    let input: [Int]
    let layers: [Layer]
    let totalParameters: Int
    let trainableParameters: Int
    let multiplyAccumulates: Int

    init(_ model: Model) {
        self.model = model.name
        input = model.inputShape
        layers = model.layers.enumerated().map { i, l in
            Layer(
                name: l.name, type: l.kind, outputShape: l.outputShape, parameters: model.parameterCount(layer: i),
                inputs: model.inputNames(of: i))
        }
        totalParameters = model.parameters.parameterCount
        trainableParameters = model.parameters.trainableCount
        multiplyAccumulates = model.multiplyAccumulates
    }
}

/// metrics.
struct MetricValues: Encodable {
    let testAccuracy: Double
    let testLoss: Double
    let misclassified: Int
    let parameters: Int
    let perClassAccuracy: [Double]
}

/// confusion-matrix.
struct ConfusionValues: Encodable {
    struct Pair: Encodable {
        let `true`: Int
        let predicted: Int
        let count: Int
    }
    let counts: [[Int]]
    let perClassAccuracy: [Double]
    let accuracy: Double
    let mostConfused: [Pair]
}
