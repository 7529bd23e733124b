import CNNCore

extension ONNXImporter {
    /// The axis ONNX calls `axis` on a value of `layout`, as vizsite's channel axis: true when
    /// `axis` (negative counts from the end) is the channels (features of a vector).
    func isChannelAxis(_ axis: Int64, _ layout: Layout) -> Bool {
        switch layout {
        case .image: axis == 1 || axis == -3
        case .channelsLast: axis == 3 || axis == -1
        case .flat: axis == 1 || axis == -1
        case .flatChannelsFirst: false
        }
    }

    /// Split of a computed tensor along its channels (ShuffleNetV2's `chunk`): one channel
    /// gather per output, with the sizes the `split` input or attribute gives, or equal parts.
    mutating func split(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        let axis = int(node, "axis", default: 0)
        guard isChannelAxis(axis, layout) else {
            throw error(node, "splits axis \(axis); vizsite splits along the channels only")
        }
        let input = shape(of: source), channels = input.last!
        var sizes: [Int64]
        if let given = try constant(node, 1) {
            sizes = try integers(given, of: node)
        } else if let given = ints(node, "split") {
            sizes = given
        } else {
            let parts = Int64(node.outputs.count)
            let each = (Int64(channels) + parts - 1) / parts
            sizes = (0..<parts).map { max(0, min(each, Int64(channels) - $0 * each)) }
        }
        guard sizes.count == node.outputs.count, sizes.allSatisfy({ $0 > 0 }), sizes.reduce(0, +) == Int64(channels)
        else {
            throw error(node, "split sizes \(sizes) do not divide \(channels) channels into \(node.outputs.count)")
        }
        var start = 0
        for (output, size) in zip(node.outputs, sizes.map(Int.init)) {
            let name = uniqueName(output.isEmpty ? Self.name(of: node) : "\(Self.name(of: node))/\(output)")
            let layer = ChannelGather(
                name: name, inputShape: input, channels: Array(start..<(start + size)), kind: "Split")
            append(layer, reading: [source], output: output, layout: layout, node: node)
            start += size
        }
    }

    /// Slice of a computed tensor along its channels (start, end and a positive step).
    mutating func sliceChannels(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        func list(_ i: Int) throws(ImportError) -> [Int64]? {
            guard let t = try constant(node, i) else { return nil }
            return try integers(t, of: node)
        }
        guard let starts = try list(1), let ends = try list(2), starts.count == 1, ends.count == 1 else {
            throw error(node, "slices a computed tensor along one axis only, with constant starts and ends")
        }
        let axis = try list(3)?.first ?? 0, step = try list(4)?.first ?? 1
        guard isChannelAxis(axis, layout), step > 0 else {
            throw error(node, "slices axis \(axis) with step \(step); vizsite slices the channels, forwards")
        }
        let input = shape(of: source), channels = Int64(input.last!)
        let clamp = { (v: Int64) in max(0, min(v < 0 ? v + channels : v, channels)) }
        let picked = Array(stride(from: Int(clamp(starts[0])), to: Int(clamp(ends[0])), by: Int(step)))
        guard !picked.isEmpty else { throw error(node, "the slice keeps no channel") }
        append(
            ChannelGather(name: layerName(node), inputShape: input, channels: picked, kind: "Slice"),
            reading: [source], output: node.outputs[0], layout: layout, node: node)
    }

    /// Squeeze of a 1×1 map's height and width to a vector, or Unsqueeze of a vector to a
    /// 1×1 map (`[N, C] ↔ [N, C, 1, 1]`): the same values either way.
    mutating func squeezeComputed(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        var axes = node.attributes["axes"]?.ints ?? []
        if let t = try constant(node, 1) { axes = try integers(t, of: node) }
        let input = shape(of: source)
        if node.opType == "Squeeze", layout == .image, input.prefix(2) == [1, 1],
            Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [2, 3] || axes.isEmpty
        {
            add(Flatten(name: layerName(node), inputShape: input), reading: [source], for: node, layout: .flat)
            return
        }
        if node.opType == "Unsqueeze", layout == .flat, Set(axes.map { $0 < 0 ? $0 + 4 : $0 }) == [2, 3] {
            add(
                Reshape(name: layerName(node), inputShape: input, outputShape: [1, 1, input[0]]), reading: [source],
                for: node, layout: .image)
            return
        }
        throw error(
            node,
            "\(node.opType) of a computed \(input) tensor on axes \(axes); vizsite squeezes a 1×1 map to a vector "
                + "and unsqueezes a vector to a 1×1 map")
    }

    /// A name not yet taken, `base` or `base_2`, `base_3`, ….
    private func uniqueName(_ base: String) -> String {
        var name = base, n = 1
        while layerNames.contains(name) {
            n += 1
            name = "\(base)_\(n)"
        }
        return name
    }

    /// Adds a layer for one of a node's several outputs.
    private mutating func append(
        _ layer: any Layer, reading sources: [Int], output: String, layout: Layout, node: ONNXNode
    ) {
        layers.append(layer)
        layerNames.insert(layer.name)
        inputs.append(sources)
        values[output] = .node(layers.count - 1, layout)
        if output != layer.name { aliases[output] = layer.name }
        producers[output] = node
    }
}
