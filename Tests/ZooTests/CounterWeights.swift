/// The counter-based weights of Benchmarks/make_zoo_fixtures.py: element `k` of the tensor
/// with `seed` is `Float(base + spread · u)`, `u = (mix32(seed·0x9E3779B9 + k·0x85EBCA6B +
/// 0x632BE5AB) >> 8) / 2²³ − 1`, with murmur3's 32-bit finalizer. The sum is taken in
/// double precision, as NumPy takes it, so both sides round the same number once.
struct WeightRecipe: Decodable {
    let seed: UInt32?
    let base: Double?
    let spread: Double?
    /// Elements (ONNX recipes); Keras recipes give a shape instead.
    let count: Int?
    let shape: [Int]?
    /// The exporter stored the transpose of a parameter of this shape (rows, columns).
    let transposed: [Int]?
    /// Tensors given outright (Keras's integer counts, one-element variables).
    let values: [Double]?

    var elementCount: Int { count ?? values?.count ?? shape?.reduce(1, *) ?? 0 }

    /// The tensor's values in the order the file holds them.
    func make() -> [Float] {
        if let values { return values.map { Float($0) } }
        let values = Self.formula(seed: seed ?? 0, base: base ?? 0, spread: spread ?? 0, count: elementCount)
        guard let transposed, transposed.count == 2 else { return values }
        let (rows, columns) = (transposed[0], transposed[1])
        var result = [Float](repeating: 0, count: values.count)
        for r in 0..<rows {
            for c in 0..<columns { result[c * rows + r] = values[r * columns + c] }
        }
        return result
    }

    static func formula(seed: UInt32, base: Double, spread: Double, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            let start = seed &* 0x9E37_79B9 &+ 0x632B_E5AB
            for k in 0..<count {
                var h = start &+ UInt32(truncatingIfNeeded: k) &* 0x85EB_CA6B
                h ^= h >> 16
                h = h &* 0x85EB_CA6B
                h ^= h >> 13
                h = h &* 0xC2B2_AE35
                h ^= h >> 16
                let u = Double(h >> 8) / Double(1 << 23) - 1
                buffer[k] = Float(base + spread * u)
            }
            initialized = count
        }
    }
}
