import Foundation
import Testing
import TestSupport

@testable import CNN

/// ONNX's own test models (`onnx/backend/test/data/light` in the onnx wheel, extracted by
/// Benchmarks/extract_onnx_test_models.py) with the input and expected output its backend
/// test runner uses: those vizsite imports must produce that output. Of the nine, one runs
/// today (ResNet-50, Caffe2's export: Sum, BatchNormalization, ConstantOfShape weights);
/// the others stop at LRN, a scaling Mul, channel shuffle, a mid-graph Softmax, or
/// fully connected layers past the parameter limit, each with an error naming the node.
@Suite struct ONNXZooTests {
    static let folder = PackagePaths.path("Tests/CNNTests/Fixtures/onnx-zoo")

    static func tensor(_ path: String) throws -> (dims: [Int], values: [Float]) {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let tensor = try ONNXTensor(bytes: ArraySlice(bytes))
        return (tensor.dims.map { Int($0) }, try tensor.floats(directory: ""))
    }

    @Test func resNet50MatchesONNXsExpectedOutput() throws {
        let model = try ModelSpec.load(path: "\(Self.folder)/light_resnet50/model.onnx").model
        let input = try Self.tensor("\(Self.folder)/light_resnet50/input_0.pb")
        let expected = try Self.tensor("\(Self.folder)/light_resnet50/output_0.pb")
        // NCHW → NHWC.
        let (c, h, w) = (input.dims[1], input.dims[2], input.dims[3])
        var nhwc = [Float](repeating: 0, count: input.values.count)
        for ch in 0..<c {
            for y in 0..<h { for x in 0..<w { nhwc[(y * w + x) * c + ch] = input.values[(ch * h + y) * w + x] } }
        }
        #expect(model.inputShape == [h, w, c])
        // The graph ends in Softmax: vizsite's output is its logits, the probabilities their softmax.
        let probabilities = model.probabilities(Tensor(shape: [1, h, w, c], scalars: nhwc))
        #expect(expected.values.count == model.classCount)
        #expect(maxAbsDifference(probabilities.scalars, expected.values) < 1e-5)
    }
}
