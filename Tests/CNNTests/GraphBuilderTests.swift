import Testing

@testable import CNN

/// Every reader assembles its graph in `GraphBuilder`, which names what is wrong with a node
/// where `Model`'s initializer would trap.
@Suite struct GraphBuilderTests {
    static func message(_ build: (inout GraphBuilder) -> Int) -> String {
        var graph = GraphBuilder(inputShape: [4, 4, 2])
        let output = build(&graph)
        do {
            _ = try graph.importedModel(name: "m", output: output, aliases: [:], file: "m.onnx", allowMissing: true)
            return "no error"
        } catch { return error.description }
    }

    @Test func malformedNodesAreErrorsNamingTheLayer() {
        #expect(
            Self.message { graph in
                graph.append(Dense(name: "fc", inputShape: [16], units: 3), reading: [-1])
            } == "m.onnx: error: layer 'fc' (Dense) takes an input of shape [16], but is given [4, 4, 2]")
        #expect(
            Self.message { graph in
                graph.append(Add(name: "sum", inputShapes: [[4, 4, 2], [4, 4, 2]]), reading: [-1])
            } == "m.onnx: error: layer 'sum' (Add) reads 1 inputs, but takes 2")
        #expect(
            Self.message { graph in
                graph.append(Flatten(name: "flat", inputShape: [4, 4, 2]), reading: [1])
                return graph.append(Dense(name: "fc", inputShape: [32], units: 3), reading: [0])
            } == "m.onnx: error: layer 'flat' (Flatten) reads a node that comes after it")
        #expect(
            Self.message { graph in
                let flat = graph.append(Flatten(name: "flat", inputShape: [4, 4, 2]), reading: [-1])
                return graph.append(Dense(name: "fc", inputShape: [32], units: 3), reading: [flat])
            } == "no error")
    }

    @Test func layersNoPathLeadsFromAreDropped() throws {
        var graph = GraphBuilder(inputShape: [4, 4, 2])
        let flat = graph.append(Flatten(name: "flat", inputShape: [4, 4, 2]), reading: [-1])
        graph.append(Dense(name: "aux", inputShape: [32], units: 5), reading: [flat])
        let output = graph.append(Dense(name: "fc", inputShape: [32], units: 3), reading: [flat])
        graph.replace(output, with: Dense(name: "scores", inputShape: [32], units: 3, useBias: false))
        #expect(graph.names == ["flat", "aux", "scores"])
        let model = try graph.importedModel(
            name: "m", output: output, aliases: ["logits": "scores", "aux_out": "aux"], file: "m.onnx",
            allowMissing: true)
        #expect(model.layers.map(\.name) == ["flat", "scores"])
        #expect(model.inputs == [[-1], [0]])
        #expect(model.aliases == ["logits": "scores"])
    }
}
