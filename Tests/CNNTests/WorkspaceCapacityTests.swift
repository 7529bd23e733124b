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
            #expect(
                Workspace.byteCount(model, capacity: capacity) == Workspace(model: model, capacity: capacity).byteCount)
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
        #expect(Workspace.byteCount(model, capacity: micro) <= Predictor.microBytes || micro == 1)
    }
}
