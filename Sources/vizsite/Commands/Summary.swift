import ArgumentParser

struct Summary: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a model's Keras-style summary: layers, output shapes, parameters, multiply-accumulates.")

    @OptionGroup var model: ModelOptions

    func run() throws {
        print(try model.load().model.summary())
    }
}
