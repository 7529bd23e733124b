/// A dense Float32 array with a shape, stored row-major.
///
/// Images are NHWC, convolution kernels HWIO `[kh, kw, in, out]` and dense kernels
/// `[in, out]`, as in Keras; see DESIGN.md.
public struct Tensor: Sendable, Equatable {
    public var shape: [Int]
    public var scalars: [Float]

    /// A tensor holding `scalars` in row-major order; their count must match `shape`.
    public init(shape: [Int], scalars: [Float]) {
        precondition(
            shape.reduce(1, *) == scalars.count,
            "shape \(shape) needs \(shape.reduce(1, *)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` filled with `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.shape = shape
        self.scalars = [Float](repeating: value, count: shape.reduce(1, *))
    }

    /// The number of scalars.
    public var count: Int { scalars.count }

    /// The size of the leading (batch) dimension.
    public var batchSize: Int { shape.first ?? 1 }

    /// The shape without the leading batch dimension.
    public var sampleShape: [Int] { Array(shape.dropFirst()) }

    /// The element at a multi-dimensional index.
    public subscript(_ index: Int...) -> Float {
        get { scalars[offset(of: index)] }
        set { scalars[offset(of: index)] = newValue }
    }

    /// Samples `range` of the leading dimension, as a new tensor.
    public func samples(_ range: Range<Int>) -> Tensor {
        let size = count / max(batchSize, 1)
        return Tensor(
            shape: [range.count] + sampleShape,
            scalars: Array(scalars[range.lowerBound * size..<range.upperBound * size]))
    }

    /// The index of the largest scalar in each sample (row) of the leading dimension.
    public func argmaxPerSample() -> [Int] {
        let size = count / max(batchSize, 1)
        return (0..<batchSize).map { b in scalars[b * size..<(b + 1) * size].offsetOfMax }
    }

    private func offset(of index: [Int]) -> Int {
        precondition(index.count == shape.count, "index \(index) does not match shape \(shape)")
        var offset = 0
        for (i, dim) in zip(index, shape) {
            precondition(i >= 0 && i < dim, "index \(index) out of range for shape \(shape)")
            offset = offset * dim + i
        }
        return offset
    }
}

extension Array where Element == Int {
    /// The number of elements of a tensor of this shape.
    public var elementCount: Int { reduce(1, *) }
}

extension ArraySlice where Element == Float {
    /// The position (from 0) of the first largest element; 0 when empty.
    public var offsetOfMax: Int {
        var best = startIndex
        for i in indices where self[i] > self[best] { best = i }
        return best - startIndex
    }
}
