import ArgumentParser
import CNN
import Foundation
import Site

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report a trained model's accuracy on the held-out split (test, else val), overall and per class.")

    @OptionGroup var model: ModelOptions

    @Option(help: "The weights file (safetensors); an imported model (.onnx, .keras, .h5) brings its own.")
    var weights: String?

    func run() throws {
        let spec = try model.load()
        var network = spec.model
        if let weights {
            try network.loadWeights(path: weights)
        } else if !spec.isImported {
            throw ValidationErrorText("--weights is needed for a model spec: name the trained safetensors file")
        }
        let data = try model.dataset(for: spec)
        let (split, set) = try model.heldOut(data)
        guard set.labels.allSatisfy({ $0 < network.classCount }) else {
            throw ValidationErrorText(
                "\(data.name) has \(data.classNames.count) classes; the model outputs \(network.classCount)")
        }
        let result = Evaluation(model: network, data: set)
        print(
            String(
                format: "%@ accuracy: %.2f%% (%d images), loss %.4f", split, result.accuracy * 100, set.count,
                result.loss))
        let names = spec.sidecar.classNames ?? data.classNames
        let width = max(5, names.map(\.count).max() ?? 0)
        print(String(repeating: " ", count: width - 5) + "class  images  accuracy")
        for (k, accuracy) in result.perClassAccuracy.enumerated() {
            let name = names.indices.contains(k) ? names[k] : String(k)
            print(
                String(repeating: " ", count: max(0, width - name.count)) + name
                    + String(format: "  %6d  %7.2f%%", result.perClassCount[k], accuracy * 100))
        }
    }
}
