import CNN
import Render

/// Relevance mass accuracy (Arras et al., 2022): the share of the map's positive relevance
/// that falls inside the ground-truth mask. From 0 to 1; higher: the map looks where the
/// evidence is known to be. Defined only for images with a ground truth (a model's planted
/// shortcut, on the images of its class).
public struct RelevanceMassAccuracy: ExplanationMetric {
    public init() {}
    public var name: String { "RelevanceMassAccuracy" }
    public var family: MetricFamily { .localisation }
    public var higherIsBetter: Bool { true }
    public var settings: [String] { ["positive relevance", "mask = the planted mark"] }

    public func scores(_ input: MetricInput) -> [Double] {
        input.maps.indices.map { n in
            guard let mask = input.masks[n] else { return .nan }
            var inside = 0.0, total = 0.0
            for (p, v) in input.maps[n].values.enumerated() where v > 0 {
                total += Double(v)
                if mask[p] { inside += Double(v) }
            }
            return total > 0 ? inside / total : .nan
        }
    }
}

/// Relevance rank accuracy (Arras et al., 2022): with K the mask's size, the share of the
/// map's K highest pixels that lie inside the mask. From 0 to 1; higher is better. A map
/// that ignores the mask scores about K / (h·w).
public struct RelevanceRankAccuracy: ExplanationMetric {
    public init() {}
    public var name: String { "RelevanceRankAccuracy" }
    public var family: MetricFamily { .localisation }
    public var higherIsBetter: Bool { true }
    public var settings: [String] { ["K = mask size", "ties to the lower index", "mask = the planted mark"] }

    public func scores(_ input: MetricInput) -> [Double] {
        input.maps.indices.map { n in
            guard let mask = input.masks[n] else { return .nan }
            let k = mask.filter { $0 }.count
            guard k > 0 else { return .nan }
            let top = PerturbationOrder.morf.ranking(input.maps[n].values).prefix(k)
            return Double(top.filter { mask[$0] }.count) / Double(k)
        }
    }
}

/// The pointing game (Zhang et al., 2018): 1 when the map's largest value lies inside the
/// mask, else 0; its mean is the hit rate. Higher is better.
public struct PointingGame: ExplanationMetric {
    public init() {}
    public var name: String { "PointingGame" }
    public var family: MetricFamily { .localisation }
    public var higherIsBetter: Bool { true }
    public var settings: [String] { ["no tolerance", "mask = the planted mark"] }

    public func scores(_ input: MetricInput) -> [Double] {
        input.maps.indices.map { n in
            guard let mask = input.masks[n], !input.maps[n].values.isEmpty else { return .nan }
            return mask[input.maps[n].values[...].offsetOfMax] ? 1 : 0
        }
    }
}
