import CNN
import Render

/// A change made to a method's map after it is explained, written after the method's name
/// with `+` (`integrated-gradients+blur`, `vanilla+abs`): controls for what a metric
/// rewards. Each works on the map as it lies on the input.
public enum MapModifier: String, Sendable, CaseIterable {
    /// |map|: ranks pixels by magnitude, as Quantus's `abs=True` and lesson 6's saliency map do.
    case abs
    /// Each value replaced by the mean of its 3×3 neighbourhood (the pixels inside the image):
    /// a smoother map that knows nothing more about the model.
    case blur

    /// The title suffix, in English (directives word it per edition).
    public var title: String {
        switch self {
        case .abs: "absolute"
        case .blur: "blurred 3×3"
        }
    }

    func apply(_ map: Heatmap) -> Heatmap {
        switch self {
        case .abs: return Heatmap(width: map.width, height: map.height, values: map.values.map { Swift.abs($0) })
        case .blur: return Self.boxBlur(map)
        }
    }

    /// The mean over each pixel's 3×3 neighbourhood, counting only pixels inside the map.
    static func boxBlur(_ map: Heatmap) -> Heatmap {
        let (w, h) = (map.width, map.height)
        var out = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                var sum: Float = 0, count: Float = 0
                for yy in max(y - 1, 0)...min(y + 1, h - 1) {
                    for xx in max(x - 1, 0)...min(x + 1, w - 1) {
                        sum += map.values[yy * w + xx]
                        count += 1
                    }
                }
                out[y * w + x] = sum / count
            }
        }
        return Heatmap(width: w, height: h, values: out)
    }
}

/// A method whose maps are changed by `modifiers`, in order, once placed on the input.
struct ModifiedMethod: ExplanationMethod {
    let name: String
    let inner: any ExplanationMethod
    let modifiers: [MapModifier]

    var explainsContrasts: Bool { inner.explainsContrasts }

    func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        let e = try inner.explain(image, target: target, layer: layer, model: model)
        let map = modifiers.reduce(e.mapOnInput(height: model.inputShape[0], width: model.inputShape[1])) {
            $1.apply($0)
        }
        return Explanation(
            method: name, layer: e.layer, targetClass: e.targetClass, map: map,
            isSigned: e.isSigned && !modifiers.contains(.abs), probabilities: e.probabilities,
            contrastClass: e.contrastClass)
    }
}

extension MethodEntry {
    /// This method with `modifiers` applied to its maps, named `name+modifier…`.
    func modified(by modifiers: [MapModifier]) -> MethodEntry {
        guard !modifiers.isEmpty else { return self }
        let inner = make, name = ([name] + modifiers.map(\.rawValue)).joined(separator: "+")
        var entry = MethodEntry(
            name, title: ([title] + modifiers.map(\.title)).joined(separator: ", "), family: family,
            signed: isSigned && !modifiers.contains(.abs), needsLayer: needsLayer, parameters: parameters
        ) { settings in ModifiedMethod(name: name, inner: inner(settings), modifiers: modifiers) }
        entry.base = base
        entry.modifiers = modifiers
        return entry
    }
}
