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
                "flatten:routing", "reshape:routing", "dropout:scaling", "shuffle:routing",
                "lrn:normalization",
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
}
