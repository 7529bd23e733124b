extension ONNXImporter {
    /// A Reshape of an image that splits its channel axis and keeps its height and width,
    /// `[N, C, H, W]` → `[N, g₁, …, gₖ, H, W]` (the first step of a channel shuffle): the
    /// result is a view, `Value.channelGroups`, that only a transpose of the groups and a
    /// reshape back may read. False when `node` is not such a reshape.
    mutating func splitChannels(_ node: ONNXNode, target dims: [Int64]) throws(ImportError) -> Bool {
        guard case .node(let source, .image)? = values[node.inputs[0]], dims.count >= 4 else { return false }
        let input = shape(of: source)
        let (h, w, c) = (input[0], input[1], input[2])
        let groups = dims.dropFirst().dropLast(2).map { Int($0) }
        guard Int(dims[dims.count - 2]) == h, Int(dims[dims.count - 1]) == w, groups.allSatisfy({ $0 > 0 }),
            groups.reduce(1, *) == c
        else { return false }
        values[node.outputs[0]] = .channelGroups(source: source, dims: groups, order: Array(0..<c))
        return true
    }

    /// A Transpose of a channel-group view that permutes the groups and leaves the batch
    /// first and height and width last; the channels' new order is worked out here.
    mutating func transposeChannelGroups(
        _ node: ONNXNode, source: Int, dims: [Int], order: [Int]
    ) throws(ImportError) {
        let rank = dims.count + 3
        let perm = (ints(node, "perm") ?? (0..<Int64(rank)).reversed().map { $0 }).map(Int.init)
        let groupPerm = perm.dropFirst().dropLast(2).map { $0 - 1 }
        guard perm.count == rank, perm.first == 0, Array(perm.suffix(2)) == [rank - 2, rank - 1],
            groupPerm.sorted() == Array(0..<dims.count)
        else {
            throw error(
                node,
                "a transpose of channels split into groups \(dims) must keep the batch first and height and width "
                    + "last; this one has perm \(perm)")
        }
        let newDims = groupPerm.map { dims[$0] }
        // Row-major strides of the old group axes; each new position reads the old one.
        var strides = [Int](repeating: 1, count: dims.count)
        for i in stride(from: dims.count - 2, through: 0, by: -1) { strides[i] = strides[i + 1] * dims[i + 1] }
        var newOrder = [Int](repeating: 0, count: order.count)
        for flat in 0..<order.count {
            var rest = flat, old = 0
            for axis in stride(from: newDims.count - 1, through: 0, by: -1) {
                old += (rest % newDims[axis]) * strides[groupPerm[axis]]
                rest /= newDims[axis]
            }
            newOrder[flat] = order[old]
        }
        values[node.outputs[0]] = .channelGroups(source: source, dims: newDims, order: newOrder)
    }

    /// The Reshape that joins a channel-group view's groups back into channels: a channel
    /// permutation (none when the order is unchanged).
    mutating func joinChannels(_ node: ONNXNode, source: Int, order: [Int]) throws(ImportError) {
        guard let target = try constant(node, 1) else { throw error(node, "needs a constant target shape") }
        let dims = try integers(target, of: node)
        let input = shape(of: source)
        let channels = dims.count == 4 ? dims[1] : 0
        guard dims.count == 4, channels == Int64(input[2]) || channels == -1, dims[2] == Int64(input[0]),
            dims[3] == Int64(input[1])
        else {
            throw error(
                node,
                "channels split into groups must be reshaped back to [batch, \(input[2]), \(input[0]), \(input[1])], "
                    + "not \(dims)")
        }
        if order == Array(0..<order.count) {
            values[node.outputs[0]] = .node(source, .image)
            return
        }
        add(
            Gather(name: layerName(node), inputShape: input, indices: order, kind: "ChannelShuffle"),
            reading: [source], for: node, layout: .image)
    }
}
