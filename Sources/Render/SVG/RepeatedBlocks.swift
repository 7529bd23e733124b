/// Runs of identical blocks in a network's layer list — ResNet-50's stages of bottlenecks,
/// VGG's convolutions of one width — so that a diagram or a summary can show one copy and
/// "× 3" instead of 170 layers.
///
/// A network is cut where only one layer's output crosses, read by the next layer and
/// perhaps by later ones: the pieces between cuts are its blocks (a residual block up to its
/// addition, an inception stage, a single layer of a chain). Consecutive runs of a
/// window of blocks that repeat exactly — the same layer types, output shapes, parameter
/// counts and connections inside — are one group.
public enum RepeatedBlocks {
    /// Copies of a run of layers, one after the other: `first` holds the first copy's
    /// layers, `count` copies in all.
    public struct Group: Sendable, Equatable {
        public let first: Range<Int>
        public let count: Int
        /// Every copy's layers.
        public var layers: Range<Int> { first.lowerBound..<(first.lowerBound + first.count * count) }

        public init(first: Range<Int>, count: Int) {
            self.first = first
            self.count = count
        }
    }

    /// Where the layer list may be cut: before layer `p` when every edge that crosses
    /// comes from layer `p − 1` — one tensor handed on, to one reader or several
    /// (`inputs[j]` lists the layers layer `j` reads, −1 the model's input).
    public static func cuts(inputs: [[Int]]) -> [Int] {
        // Per position, the edges that cross it, and the earliest source among them.
        var crossing = [Int](repeating: 0, count: inputs.count + 1)
        var fromBefore = [Int](repeating: 0, count: inputs.count + 1)
        for (j, sources) in inputs.enumerated() {
            for u in sources where u < j {
                crossing[u + 1] += 1
                crossing[j + 1] -= 1
                // The edge crosses position p with a source before p − 1 for p in u+2...j.
                if u + 2 <= j {
                    fromBefore[u + 2] += 1
                    fromBefore[j + 1] -= 1
                }
            }
        }
        var open = 0, older = 0, cuts: [Int] = []
        for p in inputs.indices {
            open += crossing[p]
            older += fromBefore[p]
            if p > 0 && open >= 1 && older == 0 && inputs[p].contains(p - 1) { cuts.append(p) }
        }
        return cuts
    }

    /// The groups of repeated blocks. `signatures[i]` tells layer `i` apart from layers
    /// that are not its copy (type, output shape, parameter count); a group holds at least
    /// `minimumLayers` layers in all.
    public static func groups(inputs: [[Int]], signatures: [String], minimumLayers: Int = 4) -> [Group] {
        let bounds = [0] + cuts(inputs: inputs) + [inputs.count]
        let blocks = zip(bounds, bounds.dropFirst()).map { $0..<$1 }.filter { !$0.isEmpty }
        // A block's identity: each layer's signature and what it reads, counted from the
        // block's start ("in" for the layer before the block).
        let keys = blocks.map { block in
            block.map { i in
                signatures[i] + "<"
                    + inputs[i].map { $0 < block.lowerBound ? "in" : String(i - $0) }.joined(separator: ",")
            }.joined(separator: "\n")
        }
        var groups: [Group] = [], b = 0
        while b < blocks.count {
            var best: (window: Int, count: Int)?
            for window in 1...min(8, max(1, (blocks.count - b) / 2)) {
                var count = 1
                while b + (count + 1) * window <= blocks.count
                    && (0..<window).allSatisfy({ keys[b + count * window + $0] == keys[b + $0] })
                {
                    count += 1
                }
                let layers = blocks[b + window - 1].upperBound - blocks[b].lowerBound
                if count >= 2 && layers * count >= minimumLayers
                    && window * count > (best.map { $0.window * $0.count } ?? 0)
                {
                    best = (window, count)
                }
            }
            if let best {
                // A block that also follows the last copy (the activation after each
                // addition) ends each copy rather than starting it: copies then run from a
                // block's first convolution to its output, as the network names them.
                var start = b
                let after = b + best.window * best.count
                if after < blocks.count && keys[after] == keys[b] { start += 1 }
                groups.append(
                    Group(
                        first: blocks[start].lowerBound..<blocks[start + best.window - 1].upperBound, count: best.count)
                )
                b = start + best.window * best.count
            } else {
                b += 1
            }
        }
        return groups
    }
}
