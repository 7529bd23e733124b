import ArgumentParser
import CNN
import Foundation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report a trained model's test accuracy, overall and per class.")

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
        guard network.inputShape == [28, 28, 1], network.classCount == 10 else {
            throw ValidationErrorText(
                "evaluate runs on MNIST's test digits (28×28×1, 10 classes); the model takes \(network.inputShape) "
                    + "and outputs \(network.classCount) classes")
        }
        let test = try model.mnist().test
        let result = Evaluation(model: network, data: test)
        print(
            String(
                format: "test accuracy: %.2f%% (%d images), loss %.4f", result.accuracy * 100, test.count, result.loss))
        print("class  images  accuracy")
        for (digit, accuracy) in result.perClassAccuracy.enumerated() {
            print(String(format: "%5d  %6d  %7.2f%%", digit, result.perClassCount[digit], accuracy * 100))
        }
    }
}
