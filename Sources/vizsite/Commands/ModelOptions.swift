import ArgumentParser
import CNN

/// The model spec and data folder most commands take.
struct ModelOptions: ParsableArguments {
    @Argument(help: "The model spec (YAML), e.g. Content/models/mnist-cnn.yml.")
    var spec: String = "Content/models/mnist-cnn.yml"

    @Option(help: "The MNIST folder (default: the spec's Content/data/mnist).")
    var data: String?

    func load() throws -> ModelSpec { try ModelSpec.load(path: spec) }

    func mnist() throws -> MNIST { try MNIST.load(directory: dataDirectory(spec: spec, override: data)) }
}
