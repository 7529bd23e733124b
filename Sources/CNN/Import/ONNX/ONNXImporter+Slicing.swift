import CNNCore

extension ONNXImporter {
    /// The axis ONNX calls `axis` on a value of `layout`, as vizsite's channel axis: true when
    /// `axis` (negative counts from the end) is the channels (features of a vector).
    func isChannelAxis(_ axis: Int64, _ layout: Layout) -> Bool {
        switch layout {
        case .image: axis == 1 || axis == -3
        case .channelsLast: axis == 3 || axis == -1
        case .flat: axis == 1 || axis == -1
        case .flatChannelsFirst, .tensor: false
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
            let layer = Gather(
                name: name, inputShape: input, indices: Array(start..<(start + size)), kind: "Split")
            add(layer, reading: [source], for: node, layout: layout, output: output)
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
        add(
            Gather(name: layerName(node), inputShape: input, indices: picked, kind: "Slice"),
            reading: [source], for: node, layout: layout)
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

    /// Gather along axis 0 of a vector by constant indices (torch.export's `as_strided` of a
    /// pooled map: the map flattened to [C], then gathered by indices of shape [1, C, 1, 1]).
    /// A channel gather, unless the indices are 0, 1, 2, …; a [1, C, 1, 1] result is a 1×1 map.
    mutating func gatherFeatures(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        guard layout == .flat, int(node, "axis", default: 0) == 0, let indices = try constant(node, 1) else {
            throw error(node, "gathers from a computed tensor only along a vector's features, by constant indices")
        }
        let input = shape(of: source), count = Int64(input[0])
        let picked = try integers(indices, of: node).map { Int($0 < 0 ? $0 + count : $0) }
        guard !picked.isEmpty, picked.allSatisfy({ (0..<input[0]).contains($0) }) else {
            throw error(node, "indices out of range for \(input[0]) features")
        }
        let asMap = indices.dims.count == 4 && indices.dims[0] == 1 && indices.dims[2] == 1 && indices.dims[3] == 1
        var current = source
        if picked != Array(0..<input[0]) {
            let gather = Gather(name: layerName(node), inputShape: input, indices: picked, kind: "Gather")
            add(gather, reading: [source], for: node, layout: .flat)
            current = layers.count - 1
        }
        guard asMap else {
            if current == source { values[node.outputs[0]] = .node(source, .flat) }
            return
        }
        let reshape = Reshape(
            name: uniqueName(Self.name(of: node) + "/map"), inputShape: shape(of: current),
            outputShape: [1, 1, picked.count])
        add(reshape, reading: [current], for: node, layout: .image)
    }
}

extension ONNXImporter {
    /// Resize (opset 10+) and Upsample (before it) of an image's height and width, nearest or
    /// linear, in any of ONNX's coordinate conventions but `tf_crop_and_resize`.
    mutating func resize(_ node: ONNXNode) throws(ImportError) {
        let (source, layout) = try nodeInput(node)
        guard layout == .image else { throw error(node, "needs an image input [N, C, H, W]") }
        let input = shape(of: source)
        let modeName = node.attributes["mode"]?.string ?? "nearest"
        guard let mode = Resize2D.Mode(rawValue: modeName == "bilinear" ? "linear" : modeName) else {
            throw error(node, "mode '\(modeName)' is not supported; vizsite resizes by nearest and linear")
        }
        let upsample = node.opType == "Upsample"
        let convention =
            node.attributes["coordinate_transformation_mode"]?.string ?? (upsample ? "asymmetric" : "half_pixel")
        guard let coordinates = Resize2D.Coordinates(rawValue: convention) else {
            throw error(node, "coordinate_transformation_mode '\(convention)' is not supported")
        }
        let roundingName = node.attributes["nearest_mode"]?.string ?? (upsample ? "floor" : "round_prefer_floor")
        guard let rounding = Resize2D.Rounding(rawValue: roundingName) else {
            throw error(node, "nearest_mode '\(roundingName)' is not supported")
        }
        guard int(node, "antialias", default: 0) == 0, node.attributes["axes"] == nil,
            (node.attributes["keep_aspect_ratio_policy"]?.string ?? "stretch") == "stretch"
        else { throw error(node, "antialiasing, axes and aspect-ratio policies are not supported") }
        // Upsample and opset-10 Resize: (X, scales); later: (X, roi, scales, sizes).
        let scalesIndex = upsample || node.inputs.count == 2 ? 1 : 2
        var size: (Int, Int), scales: (Float, Float)?
        if node.inputs.count > 3, let given = try constant(node, 3) {
            let sizes = try integers(given, of: node)
            guard sizes.count == 4 else { throw error(node, "sizes must have 4 values, not \(sizes)") }
            size = (Int(sizes[2]), Int(sizes[3]))
        } else if let given = try constant(node, scalesIndex) {
            let values = try floats(given, of: node)
            guard values.count == 4, values[0] == 1, values[1] == 1, values[2] > 0, values[3] > 0 else {
                throw error(node, "scales must be [1, 1, height, width] with positive scales, not \(values)")
            }
            scales = (values[2], values[3])
            size = (
                Int((Float(input[0]) * values[2]).rounded(.down)), Int((Float(input[1]) * values[3]).rounded(.down))
            )
        } else {
            throw error(node, "needs constant scales or sizes")
        }
        guard (1...65_536).contains(size.0), (1...65_536).contains(size.1),
            size.0 * size.1 * input[2] <= ModelSpec.maxActivations
        else { throw error(node, "resizes to \(size.0)×\(size.1), which vizsite cannot hold") }
        add(
            Resize2D(
                name: layerName(node), inputShape: input, outputSize: size, mode: mode, coordinates: coordinates,
                rounding: rounding, scales: scales),
            reading: [source], for: node, layout: .image)
    }
}
