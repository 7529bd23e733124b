import CKernels

/// Copies `count` floats from `source` to a non-overlapping `destination`.
///
/// Use it instead of `update(from:count:)` for large copies in hot paths: glibc's memcpy
/// uses `rep movsb` at those sizes, which ran 15× slower on this CPU for some buffer
/// alignments (see CKernels/copy.c).
@inline(__always)
public func copyFloats(_ destination: UnsafeMutablePointer<Float>, from source: UnsafePointer<Float>, count: Int) {
    vz_copy_floats(destination, source, count)
}
