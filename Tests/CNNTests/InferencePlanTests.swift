import CNN
import Testing
import TestSupport

@testable import CNNCore

/// Inference-only workspaces: outputs share a buffer only once every reader of the earlier
/// one has run, and forward passes through them give the full workspace's outputs.
@Suite struct InferencePlanTests {
    func models() throws -> [Model] {
        [
            try ModelSpec.parse(GraphModelTests.residualSpec, file: "r.yml").model,
            try ModelSpec.load(path: PackagePaths.referenceSpec).model,
        ]
    }

    @Test func buffersAreSharedOnlyBetweenOutputsWhoseLivesDoNotOverlap() throws {
        for model in try models() {
            let plan = InferencePlan(model)
            let nodes = model.layers.count + 1
            #expect(plan.slotOfNode.count == nodes)
            // Node j (0 the input, i + 1 layer i's output) is written by layer j − 1 and
            // last read by the largest layer listing it among its inputs.
            let lastReader = (0..<nodes).map { j in
                model.inputs.indices.filter { model.inputs[$0].contains(j - 1) }.max()
            }
            let sizes = [model.inputShape.elementCount] + model.layers.map(\.outputShape.elementCount)
            for a in 0..<nodes {
                #expect(plan.slotSizes[plan.slotOfNode[a]] >= sizes[a])
                for b in (a + 1)..<nodes where plan.slotOfNode[a] == plan.slotOfNode[b] {
                    // `a` is dead before `b` is written: its last reader ran before layer b − 1.
                    let reader = try #require(lastReader[a], "node \(a) is never read yet shares with \(b)")
                    #expect(a > 0 && reader < b - 1, "nodes \(a) and \(b) of \(model.name)")
                }
            }
            #expect(plan.slotSizes.reduce(0, +) < sizes.reduce(0, +))
        }
    }

    @Test(arguments: [1, 5])
    func inferenceOnlyWorkspacesGiveTheSameOutputs(batch: Int) throws {
        for model in try models() {
            let x = randomTensor([batch] + model.inputShape, seed: 71, low: 0, high: 1)
            let full = Workspace(model: model, capacity: batch)
            let lean = Workspace(model: model, capacity: batch, inferenceOnly: true)
            for ws in [full, lean] {
                ws.setInput(x)
                model.forward(ws, batch: batch, threads: 2, outputsOnly: true)
            }
            let last = model.layers.count - 1, shape = model.layers[last].outputShape
            let logits = full.output(of: last, batch: batch, shape: shape).scalars
            #expect(lean.output(of: last, batch: batch, shape: shape).scalars == logits)
            #expect(lean.output(of: -1, batch: batch, shape: model.inputShape).scalars == x.scalars)
            // The predictor's shards and micro-batches run inference-only workspaces too.
            #expect(maxAbsDifference(model.logits(x).scalars, logits) < 1e-5)
        }
    }
}
