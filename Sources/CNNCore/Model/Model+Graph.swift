/// How the layers of a model connect: which layers read a node, which nodes a layer
/// depends on.
extension Model {
    /// Whether every layer reads only the layer before it (a Keras Sequential model).
    public var isChain: Bool { inputs.enumerated().allSatisfy { $0.element == [$0.offset - 1] } }

    /// The layers that read node `node` (-1: the model input).
    public func consumers(of node: Int) -> [Int] {
        inputs.indices.filter { inputs[$0].contains(node) }
    }

    /// For each layer, whether node `node`'s value depends on it (the layer itself included).
    public func ancestors(of node: Int) -> [Bool] {
        var marked = [Bool](repeating: false, count: layers.count)
        guard node >= 0 else { return marked }
        marked[node] = true
        for i in stride(from: node, through: 0, by: -1) where marked[i] {
            for input in inputs[i] where input >= 0 { marked[input] = true }
        }
        return marked
    }

    /// For each layer, whether every path from the input to the output passes through it:
    /// the ends of a network's blocks (a residual block's final activation, an inception
    /// block's concatenation), never a layer inside a branch. In topological order layer
    /// `i` is one exactly when no layer after it reads a node before it.
    public var layersOnEveryPath: [Bool] {
        // open[i] > 0: some edge u → j with u < i < j jumps over layer i.
        var open = [Int](repeating: 0, count: layers.count + 1)
        for (j, sources) in inputs.enumerated() {
            for u in sources where u + 1 < j {
                open[u + 1] += 1
                open[j] -= 1
            }
        }
        var result = [Bool](repeating: false, count: layers.count)
        var crossing = 0
        for i in layers.indices {
            crossing += open[i]
            result[i] = crossing == 0
        }
        return result
    }

    /// The names of the nodes layer `index` reads (`input` for the model's input).
    public func inputNames(of index: Int) -> [String] {
        inputs[index].map { $0 < 0 ? "input" : layers[$0].name }
    }

    /// The first layer from which on every layer reads only nodes at or after the one
    /// before it, at or after `index`: where a forward pass can be cut in two with one
    /// node handed over. `layers.count` when there is none.
    func cutPoint(atOrAfter index: Int) -> Int {
        for split in index..<max(index, layers.count)
        where (split..<layers.count).allSatisfy({ j in inputs[j].allSatisfy { $0 >= split - 1 } }) {
            return split
        }
        return layers.count
    }
}
