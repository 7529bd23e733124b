import CNN
import Foundation
import Testing
import TestSupport

@testable import Site

/// Every layer of the core describes itself (LayerDescription.swift), and the browser's
/// runtime implements every operation those descriptions name.
@Suite("Layer descriptions")
struct LayerDescriptionTests {
    @Test("LayerExamples holds one layer of every kind declared in Sources/CNNCore")
    func examplesCoverTheCore() throws {
        let folder = PackagePaths.path("Sources/CNNCore")
        var declared: Set<String> = []
        for file in FileManager.default.enumerator(atPath: folder)!.compactMap({ $0 as? String })
        where file.hasSuffix(".swift") {
            let text = try String(contentsOfFile: "\(folder)/\(file)", encoding: .utf8)
            let pattern = /struct ([A-Za-z0-9]+): (?:[A-Za-z, ]*\b)?Layer\b/
            for match in text.matches(of: pattern) { declared.insert(String(match.1)) }
        }
        let covered = Set(LayerExamples.all.map { String(describing: type(of: $0)) })
        #expect(declared.count >= 15)
        #expect(declared == covered, "missing from LayerExamples: \(declared.subtracting(covered).sorted())")
    }

    @Test("the browser's runtime implements every operation of the core, forward and backward")
    func runtimeImplementsEveryOperation() throws {
        let runtime = try String(
            contentsOfFile: PackagePaths.path("Theme/assets/playground-runtime.js"), encoding: .utf8)
        // The operations `forwardLayer` and `backwardLayer` switch on (identity is their default).
        func cases(in function: String) -> Set<String> {
            guard let start = runtime.range(of: "function \(function)(") else { return [] }
            let body = runtime[start.upperBound...]
            let end = body.range(of: "\n  }\n")?.lowerBound ?? body.endIndex
            return Set(body[..<end].matches(of: /case '([a-z0-9]+)'/).map { String($0.1) })
        }
        let forward = cases(in: "forwardLayer"), backward = cases(in: "backwardLayer")
        #expect(forward.count >= 13 && forward == backward, "\(forward.symmetricDifference(backward))")
        #expect(PlaygroundModel.runtimeOperations == forward.union(["identity"]))
        for layer in LayerExamples.all {
            #expect(
                PlaygroundModel.runtimeOperations.contains(layer.operation.name),
                "\(layer.kind)'s operation \(layer.operation.name) is not in the runtime")
        }
    }

    @Test("descriptions say what each layer is: grids, propagation roles and settings")
    func descriptions() {
        let layers = Dictionary(uniqueKeysWithValues: LayerExamples.all.map { ($0.name, $0) })
        // A 3×3 kernel dilated by 2 across spans 5 columns; `same` padding puts 2 columns before
        // (4 in all) and, with stride 2 over 6 rows, its one row after (as TensorFlow does).
        #expect(
            layers["conv"]?.gridMapping == .window(span: .init(3, 5), stride: .init(2, 1), padding: .init(0, 2)))
        #expect(layers["pad"]?.gridMapping == .window(span: .init(1, 1), stride: .init(1, 1), padding: .init(1, 2)))
        #expect(layers["crop"]?.gridMapping == .window(span: .init(1, 1), stride: .init(1, 1), padding: .init(-1, 0)))
        #expect(layers["crop"]?.outputShape == [3, 5, 4])
        #expect(layers["concat"]?.gridMapping == .sameGrid)
        #expect(layers["flatten"]?.gridMapping == .noGrid && layers["gmax"]?.gridMapping == .noGrid)
        let roles = LayerExamples.all.map { "\($0.name):\($0.propagation)" }
        #expect(
            roles == [
                "conv:affine", "dense:affine", "maxpool:maximum", "avgpool:sum", "gmax:maximum", "bn:scaling",
                "affine:scaling", "pad:routing", "crop:routing", "add:sum", "mul:product", "concat:routing",
                "act:activation",
                "flatten:routing", "reshape:routing", "dropout:scaling", "layernorm:normalization", "resize:sum",
                "gather:routing",
                "lrn:normalization", "tokens:affine", "pick:routing", "transpose:routing", "matmul:product",
                "softmax:normalization", "position:scaling", "cls:routing",
            ])
        #expect(
            layers["conv"]?.operation
                == OperationDescription(
                    "conv2d",
                    [
                        "kernel": .ints([3, 3]), "strides": .ints([2, 1]), "dilations": .ints([1, 2]),
                        "pads": .ints([0, 2]), "groups": .int(2), "activation": .activation(.relu),
                    ]))
    }

    /// A model that ends in `layer`, its extra inputs made by layers before it: a 1×1
    /// convolution for another channel count, global pooling first for a 1×1 map.
    static func model(ending layer: any Layer) -> Model {
        let input = layer.inputShape
        var layers: [any Layer] = [], inputs: [[Int]] = [], sources: [Int] = [-1]
        for (k, shape) in layer.inputShapes.enumerated().dropFirst() {
            guard shape != input else {
                sources.append(-1)
                continue
            }
            var source = -1
            if shape.prefix(2) == [1, 1] {
                layers.append(GlobalPool2D(name: "pool\(k)", inputShape: input, reduction: .average, keepDims: true))
                inputs.append([-1])
                source = layers.count - 1
            }
            layers.append(
                Conv2D(
                    name: "make\(k)", inputShape: layers.last?.outputShape ?? input, filters: shape[2],
                    kernelSize: (1, 1)))
            inputs.append([source])
            sources.append(layers.count - 1)
        }
        var model = Model(
            name: "op-\(layer.name)", inputShape: input, layers: layers + [layer], inputs: inputs + [sources], seed: 3)
        // Random weights everywhere (variances positive), so no operation is checked at zero.
        var random = SeededRandom(seed: 11, stream: 1)
        for entry in model.parameters.entries {
            for i in entry.range {
                let v = random.uniform(-1, 1)
                model.parameters.values[i] = entry.key.hasSuffix("variance") ? 0.5 + abs(v) : v
            }
        }
        return model
    }

    /// The core's gradient of `Σ seed ⊙ output` at the input, layer by layer backwards.
    static func inputGradient(_ model: Model, _ x: Tensor, seed: [Float]) -> [Float] {
        let outputs = model.outputs(x, threads: 1).map(\.scalars)
        var gradients = [[Float]?](repeating: nil, count: model.layers.count)
        gradients[model.layers.count - 1] = seed
        var atInput = [Float](repeating: 0, count: x.scalars.count)
        for i in model.layers.indices.reversed() {
            guard let g = gradients[i] else { continue }
            let layer = model.layers[i]
            let parameters = layer.parameterShapes.flatMap { model.parameters["\(layer.name)/\($0.key)"]!.scalars }
            let parts = layer.inputGradients(
                at: model.inputs[i].map { $0 < 0 ? x.scalars : outputs[$0] }, parameters: parameters,
                outputGradient: g, batch: 1)
            for (source, part) in zip(model.inputs[i], parts) {
                if source < 0 {
                    atInput = zip(atInput, part).map(+)
                } else {
                    gradients[source] = zip(gradients[source] ?? [Float](repeating: 0, count: part.count), part).map(+)
                }
            }
        }
        return atInput
    }

    @Test("the browser's runtime agrees with the core on every operation, forward and backward, on random values")
    func runtimeAgreesOnEveryOperation() throws {
        var cases: [[String: Any]] = [], expected: [String: (output: [Float], gradient: [Float])] = [:]
        for (n, layer) in LayerExamples.all.enumerated() {
            let model = Self.model(ending: layer)
            let x = randomTensor([1] + model.inputShape, seed: UInt64(40 + n))
            let seed = randomTensor([1] + layer.outputShape, seed: UInt64(80 + n)).scalars
            let playground = PlaygroundModel(model: model)
            cases.append([
                "name": layer.name, "script": playground.script(), "key": playground.key,
                "input": x.scalars.map(Double.init), "seed": seed.map(Double.init),
            ])
            expected[layer.name] = (
                model.outputs(x, threads: 1).last!.scalars, Self.inputGradient(model, x, seed: seed)
            )
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-ops-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let casesFile = folder.appendingPathComponent("cases.json")
        try JSONSerialization.data(withJSONObject: cases).write(to: casesFile)
        let result = try runProgram(
            "node",
            [
                PackagePaths.path("Tests/SiteTests/Fixtures/runtime-layers-check.js"),
                PackagePaths.path("Theme/assets/playground-runtime.js"), casesFile.path,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let got = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for layer in LayerExamples.all {
            let entry = try #require(got[layer.name] as? [String: [Double]], "no result for \(layer.name)")
            let want = try #require(expected[layer.name])
            let output = (entry["output"] ?? []).map(Float.init), gradient = (entry["gradient"] ?? []).map(Float.init)
            let scale = max(want.output.map(abs).max() ?? 0, want.gradient.map(abs).max() ?? 0, 1)
            #expect(output.count == want.output.count && gradient.count == want.gradient.count, "\(layer.name)")
            #expect(maxAbsDifference(output, want.output) < 1e-4 * scale, "\(layer.name) forward")
            #expect(maxAbsDifference(gradient, want.gradient) < 1e-4 * scale, "\(layer.name) backward")
        }
    }
}
