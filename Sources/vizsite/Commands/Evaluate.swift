import ArgumentParser
import CNN
import Foundation

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Report a trained model's test accuracy, overall and per class.")

    @OptionGroup var model: ModelOptions

    @Option(help: "The weights file (safetensors).")
    var weights: String

    func run() throws {
        var network = try model.load().model
        try network.loadWeights(path: weights)
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
