@testable import Render
import Testing

/// The graph layout of the architecture diagram, on the shapes the papers draw and on
/// random graphs. Node 0 is the model's input; `inputs[v]` the nodes node `v` reads.
@Suite struct GraphLayoutTests {
    @Test("a chain is one column of straight edges")
    func chain() {
        let layout = GraphLayout(inputs: [[], [0], [1], [2]])
        #expect(layout.rows == [0, 1, 2, 3] && layout.columns == [0, 0, 0, 0])
        #expect(layout.edges.allSatisfy { $0.route == .straight } && layout.laneCount == 0)
    }

    func route(_ layout: GraphLayout, _ source: Int, _ target: Int) -> GraphLayout.Route? {
        layout.edges.first { $0.source == source && $0.target == target }?.route
    }

    @Test("residual blocks: the main path down column 0, the identity in a lane, a projection beside the path")
    func residual() {
        // 1 stem; 2–4 conv, relu, conv; 5 add(4, 1); 6 relu; 7–9 conv, relu, conv; 10 projection of 6;
        // 11 add(9, 10).
        let layout = GraphLayout(inputs: [[], [0], [1], [2], [3], [4, 1], [5], [6], [7], [8], [6], [9, 10]])
        #expect(layout.columns == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
        #expect(layout.rows == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 7, 10])
        #expect(route(layout, 1, 5) == .lane(0) && layout.laneCount == 1)
        #expect(route(layout, 6, 10) == .fanOut && route(layout, 10, 11) == .fanIn)
        #expect(route(layout, 9, 11) == .straight && route(layout, 6, 7) == .straight)
        #expect(layout.violations().isEmpty)
    }

    @Test("an inception block's four branches stand side by side and join at the concatenation")
    func inception() {
        // 1 pool; 2 a 1×1 conv; 3→4, 5→6 two convs each; 7 pool → 8 conv; 9 concat.
        let layout = GraphLayout(inputs: [[], [0], [1], [1], [3], [1], [5], [1], [7], [2, 4, 6, 8]])
        #expect(layout.rows == [0, 1, 2, 2, 3, 2, 3, 2, 3, 4])
        #expect(layout.columns == [0, 0, 0, 1, 1, 2, 2, 3, 3, 0])
        #expect([3, 5, 7].allSatisfy { route(layout, 1, $0) == .fanOut } && route(layout, 1, 2) == .straight)
        #expect([4, 6, 8].allSatisfy { route(layout, $0, 9) == .fanIn } && route(layout, 2, 9) == .straight)
        #expect(layout.laneCount == 0 && layout.violations().isEmpty)
    }

    @Test("a dense block: each earlier feature one lane, tapped by every concatenation that reads it")
    func dense() {
        // 1 conv; 2 conv; 3 cat(1, 2); 4 conv; 5 cat(1, 2, 4); 6 conv; 7 cat(1, 2, 4, 6).
        let layout = GraphLayout(inputs: [[], [0], [1], [1, 2], [3], [1, 2, 4], [5], [1, 2, 4, 6]])
        #expect(layout.columns.allSatisfy { $0 == 0 })
        #expect(route(layout, 1, 3) == .lane(0) && route(layout, 1, 5) == .lane(0) && route(layout, 1, 7) == .lane(0))
        #expect(route(layout, 2, 5) == .lane(1) && route(layout, 2, 7) == .lane(1) && route(layout, 4, 7) == .lane(2))
        #expect(layout.laneCount == 3 && layout.violations().isEmpty)
    }

    @Test("a lane is reused once the shortcut before it has ended, not on the row where it ends")
    func lanesAreReused() {
        // A ReLU after each addition: the next shortcut starts a row after the last ends.
        let apart = GraphLayout(inputs: [[], [0], [1], [2, 0], [3], [4], [5], [6, 4]])
        #expect(route(apart, 0, 3) == .lane(0) && route(apart, 4, 7) == .lane(0) && apart.laneCount == 1)
        // Leaving the addition itself, one line down the same lane would read as one shortcut.
        let touching = GraphLayout(inputs: [[], [0], [1], [2, 0], [3], [4], [5, 3]])
        #expect(route(touching, 0, 3) == .lane(0) && route(touching, 3, 6) == .lane(1))
    }

    @Test("on random graphs no edge passes through a node, and no two sources share a cell or a lane's row")
    func randomGraphs() {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<200 {
            var inputs: [[Int]] = [[]]
            for v in 1..<60 {
                var reads = [v - 1 - (next(4) == 0 ? next(min(v, 6)) : 0)]
                for _ in 0..<next(3) where next(2) == 0 { reads.append(next(v)) }
                inputs.append(Array(Set(reads)).sorted())
            }
            let layout = GraphLayout(inputs: inputs)
            #expect(layout.violations().isEmpty, "\(inputs): \(layout.violations())")
        }
    }
}

@Suite struct RepeatedBlocksTests {
    /// A stem, `blocks` residual blocks (conv, relu, conv, add of the block's input), a head;
    /// layer indices, −1 the input.
    func residualNetwork(blocks: Int) -> (inputs: [[Int]], kinds: [String]) {
        var inputs: [[Int]] = [[-1]], kinds = ["Conv2D"]
        for _ in 0..<blocks {
            let input = inputs.count - 1
            inputs += [[input], [input + 1], [input + 2], [input + 3, input]]
            kinds += ["Conv2D", "ReLU", "Conv2D", "Add"]
        }
        inputs.append([inputs.count - 1])
        kinds.append("Dense")
        return (inputs, kinds)
    }

    @Test("a network is cut where one layer's output alone is handed on")
    func cuts() {
        #expect(RepeatedBlocks.cuts(inputs: [[-1], [0], [1], [2]]) == [1, 2, 3])
        // Inside a block the shortcut crosses: cut before each block and after each addition.
        #expect(RepeatedBlocks.cuts(inputs: residualNetwork(blocks: 2).inputs) == [1, 5, 9])
        // A concatenation of every earlier feature (a dense block) leaves nothing to cut.
        #expect(RepeatedBlocks.cuts(inputs: [[-1], [0], [0, 1], [2], [0, 1, 3]]) == [1])
    }

    @Test("identical consecutive blocks are one group; a block that differs is not in it")
    func groups() {
        let net = residualNetwork(blocks: 3)
        let groups = RepeatedBlocks.groups(inputs: net.inputs, signatures: net.kinds)
        #expect(groups == [RepeatedBlocks.Group(first: 1..<5, count: 3)])
        #expect(groups[0].layers == 1..<13)
        var wider = net.kinds
        wider[9] = "Conv2D 64"
        #expect(RepeatedBlocks.groups(inputs: net.inputs, signatures: wider) == [.init(first: 1..<5, count: 2)])
        // A chain of distinct layers has none; too few layers to be worth collapsing, neither.
        #expect(RepeatedBlocks.groups(inputs: [[-1], [0], [1]], signatures: ["a", "b", "c"]).isEmpty)
        #expect(RepeatedBlocks.groups(inputs: [[-1], [0], [1]], signatures: ["a", "a", "a"]).isEmpty)
        #expect(
            RepeatedBlocks.groups(inputs: [[-1], [0], [1], [2]], signatures: ["a", "a", "a", "a"])
                == [.init(first: 0..<1, count: 4)])
    }
}
