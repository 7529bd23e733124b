import CNN
import Foundation
import Testing
import TestSupport

@testable import CNNCore

/// Many-image explanation passes size their workspaces by bytes: the reference model keeps
/// its batches of 32, a 224×224 model takes few images at a time.
@Suite struct WorkspaceCapacityTests {
    @Test(arguments: [1, 7, 32])
    func byteCountIsWhatAWorkspaceAllocates(capacity: Int) throws {
        let chain = try ModelSpec.load(path: PackagePaths.referenceSpec).model
        let graph = try ModelSpec.parse(GraphModelTests.residualSpec, file: "r.yml").model
        for model in [chain, graph] {
            for inference in [false, true] {
                #expect(
                    Workspace.byteCount(model, capacity: capacity, inferenceOnly: inference)
                        == Workspace(model: model, capacity: capacity, inferenceOnly: inference).byteCount)
            }
            #expect(
                Workspace.byteCount(model, capacity: capacity, inferenceOnly: true)
                    < Workspace.byteCount(model, capacity: capacity))
        }
    }

    @Test func theReferenceModelKeepsItsBatches() throws {
        let model = try ModelSpec.load(path: PackagePaths.referenceSpec).model
        #expect(Workspace.capacity(model, upTo: 32, within: 64 << 20) == 32)
        #expect(Workspace.capacity(model, upTo: 5, within: 64 << 20) == 5)
        #expect(Predictor.capacities(model, maxBatch: 128, workers: 2) == (64, Predictor.microBatch))
    }

    @Test func aLargeInputTakesFewImages() {
        let model = Model(
            name: "wide", inputShape: [224, 224, 3],
            layers: [
                Conv2D(name: "c1", inputShape: [224, 224, 3], filters: 32, kernelSize: (3, 3), activation: .relu),
                Conv2D(name: "c2", inputShape: [222, 222, 32], filters: 32, kernelSize: (3, 3), activation: .relu),
            ], seed: 1)
        let capacity = Workspace.capacity(model, upTo: 25, within: 64 << 20)
        #expect(capacity >= 1 && capacity < 25)
        #expect(Workspace.byteCount(model, capacity: capacity) <= 64 << 20 || capacity == 1)
        #expect(Workspace.byteCount(model, capacity: capacity * 4 / 3 + 1) > 64 << 20)
        #expect(Workspace.capacity(model, upTo: 25, within: 1) == 1)
        let (shard, micro) = Predictor.capacities(model, maxBatch: 32, workers: 2)
        #expect(shard == 16 && micro < Predictor.microBatch)
        #expect(Workspace.byteCount(model, capacity: micro, inferenceOnly: true) <= Predictor.microBytes || micro == 1)
    }

    /// A ResNet's last stage (37 MB of transformed kernels, 4 tiles per image) takes
    /// micro-batches of eight whatever their bytes: a block of 96 tiles needs 24 images.
    @Test(.enabled(if: ConvolutionKernel.fastKernelsAvailable, "needs AVX2 and FMA"))
    func largeWinogradKernelsTakeLargerMicroBatches() {
        let last = Conv2D(name: "c", inputShape: [7, 7, 512], filters: 512, kernelSize: (3, 3), padding: .same)
        #expect(last.winogradImagesPerCall == 24)
        let wide = Conv2D(name: "w", inputShape: [224, 224, 8], filters: 512, kernelSize: (3, 3), strides: (32, 32))
        let model = Model(name: "r", inputShape: [224, 224, 8], layers: [wide, last], seed: 1)
        #expect(Workspace.capacity(model, upTo: 8, within: Predictor.microBytes, inferenceOnly: true) < 8)
        #expect(Predictor.capacities(model, maxBatch: 32, workers: 2) == (16, 8))
        #expect(Predictor.capacities(model, maxBatch: 6, workers: 2) == (3, 3))
        let small = Conv2D(name: "s", inputShape: [28, 28, 64], filters: 64, kernelSize: (3, 3))
        #expect(small.winogradImagesPerCall == nil)  // 590 KB of transformed kernels
    }
}
