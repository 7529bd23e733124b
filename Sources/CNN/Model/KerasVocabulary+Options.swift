import Common

/// The typed reading of Keras's options, with the checks and messages both readers share.
extension KerasVocabulary {
    func describe(_ shapes: [[Int]]) -> String {
        shapes.map { "(" + $0.map(String.init).joined(separator: ", ") + ")" }.joined(separator: " and ")
    }

    func requireImage() throws(Failure) {
        guard input.count == 3 else {
            throw options.error(
                "\(type) needs an image-shaped input (height, width, channels), but its input is \(describe([input]))",
                at: "type")
        }
    }

    /// A layer's output must have cells: a window larger than its input has none.
    func check(_ layer: any Layer) throws(Failure) {
        try fits(layer)
        if layer.activation == .softmax { try lastLayerOnly(at: options.has("activation") ? "activation" : "type") }
    }

    func fits(_ layer: any Layer) throws(Failure) {
        guard layer.outputShape.allSatisfy({ $0 > 0 }) else {
            guard case .window(let span, _, _) = layer.gridMapping else {
                throw options.error("\(name) cannot take the input \(describe([input]))", at: "type")
            }
            throw options.error(
                "a \(span.height)×\(span.width) window does not fit the input \(describe([input])) of \(name)",
                at: "type")
        }
    }

    func lastLayerOnly(at key: String) throws(Failure) {
        guard isLast else {
            throw options.error(
                "softmax is only supported on the last layer: vizsite explains the logits that feed it", at: key)
        }
    }

    /// `axis` must be the last (-1, or the rank counting the batch axis, as Keras counts).
    func lastAxis(_ key: String, what verb: String) throws(Failure) {
        let axes = try options.intRows(key)?.flatMap { $0 } ?? [-1]
        guard axes == [-1] || axes == [input.count] else {
            throw options.error("\(verb) axes \(axes); vizsite supports the last axis (-1) only", at: key)
        }
    }

    func positive(_ key: String, default value: Int? = nil) throws(Failure) -> Int {
        guard let n = try options.int(key) else {
            if let value { return value }
            throw options.error("a \(type) layer is missing the required field '\(key)'", at: nil)
        }
        guard n > 0 else { throw options.error("\(key) must be a positive integer, found \(n)", at: key) }
        guard n <= ModelSpec.maxSize else {
            throw options.error("\(key) must be at most \(ModelSpec.maxSize.grouped), found \(n.grouped)", at: key)
        }
        return n
    }

    /// One positive integer or two (`3` is `(3, 3)`).
    func pair(_ key: String, default value: (Int, Int)?) throws(Failure) -> (Int, Int) {
        guard let rows = try options.intRows(key) else {
            if let value { return value }
            throw options.error("a \(type) layer is missing the required field '\(key)'", at: nil)
        }
        guard rows.count <= 2, rows.allSatisfy({ $0.count == 1 }) else {
            throw options.error("\(key) must be one or two integers", at: key)
        }
        let p = (rows[0][0], rows[rows.count - 1][0])
        guard p.0 > 0 && p.1 > 0 else { throw options.error("\(key) must be positive", at: key) }
        let limit = ModelSpec.maxSize
        guard p.0 <= limit && p.1 <= limit else {
            throw options.error("\(key) must be at most \(limit.grouped)", at: key)
        }
        return p
    }

    func number(_ key: String, default value: Double) throws(Failure) -> Double {
        try options.double(key) ?? value
    }

    func flag(_ key: String, default value: Bool) throws(Failure) -> Bool {
        try options.bool(key) ?? value
    }

    /// The `activation` option (`linear` when absent); `hard_sigmoid` as the file's Keras
    /// version means it.
    func activation() throws(Failure) -> Activation {
        guard let text = try options.string("activation") else { return .linear }
        guard var activation = Activation(named: text) else {
            throw options.error(
                "unknown activation '\(text)', expected one of \(Activation.names.joined(separator: ", "))",
                at: "activation", suggestion: nearestName(to: text, in: Activation.names))
        }
        if case .hardSigmoid = activation { activation = hardSigmoid }
        return activation
    }

    /// `padding: valid | same`, or explicit `[[top, bottom], [left, right]]`.
    func pads(window: (Int, Int), strides: (Int, Int), dilations: (Int, Int) = (1, 1)) throws(Failure) -> Pads {
        guard options.has("padding") else { return .zero }
        if options.isText("padding") {
            let text = try options.string("padding") ?? ""
            guard let mode = Padding(rawValue: text.lowercased()) else {
                throw options.error(
                    "unknown value '\(text)', expected one of valid, same", at: "padding",
                    suggestion: nearestName(to: text.lowercased(), in: ["valid", "same"]))
            }
            return Pads(mode, input: input, window: window, strides: strides, dilations: dilations)
        }
        guard let rows = try options.intRows("padding"), rows.count == 2, rows.allSatisfy({ $0.count == 2 }) else {
            throw options.error("padding must be valid, same, or [[top, bottom], [left, right]]", at: "padding")
        }
        return try explicit(rows, key: "padding")
    }

    /// ZeroPadding2D's `padding`, Cropping2D's `cropping`: `n`, `[rows, columns]` or
    /// `[[top, bottom], [left, right]]`.
    func edges(_ key: String, default value: Int) throws(Failure) -> Pads {
        guard let rows = try options.intRows(key) else {
            return Pads(top: value, bottom: value, left: value, right: value)
        }
        switch rows.count {
        case 1 where rows[0].count == 1:
            return try explicit([rows[0] + rows[0], rows[0] + rows[0]], key: key)
        case 2 where rows.allSatisfy({ (1...2).contains($0.count) }):
            return try explicit(rows.map { $0.count == 1 ? $0 + $0 : $0 }, key: key)
        default:
            throw options.error("\(key) must be n, [rows, columns] or [[top, bottom], [left, right]]", at: key)
        }
    }

    private func explicit(_ rows: [[Int]], key: String) throws(Failure) -> Pads {
        let all = rows.flatMap { $0 }
        guard all.allSatisfy({ (0...ModelSpec.maxSize).contains($0) }) else {
            throw options.error("\(key) must be between 0 and \(ModelSpec.maxSize.grouped)", at: key)
        }
        return Pads(top: all[0], bottom: all[1], left: all[2], right: all[3])
    }

    /// A number, or one per channel.
    func perChannel(_ key: String, channels: Int, default value: Float) throws(Failure) -> [Float] {
        guard let numbers = try options.numbers(key) else { return [Float](repeating: value, count: channels) }
        if numbers.count == 1 { return [Float](repeating: Float(numbers[0]), count: channels) }
        guard numbers.count == channels else {
            throw options.error("\(key) must be a number or one number per channel (\(channels))", at: key)
        }
        return numbers.map(Float.init)
    }
}
