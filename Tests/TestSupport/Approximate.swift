/// The largest absolute difference between two equally long arrays.
public func maxAbsDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Whether every pair is within `absolute + relative · |b|`.
public func allClose(_ a: [Float], _ b: [Float], absolute: Float = 1e-5, relative: Float = 1e-4) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= absolute + relative * abs($1) }
}
