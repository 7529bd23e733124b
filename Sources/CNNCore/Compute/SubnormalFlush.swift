import CKernels

/// Subnormal floats flushed to zero while the model computes.
///
/// Gradients that shrink through many random or saturated layers reach the subnormal range
/// (below 1.2e-38), where x86 cores take a microcode path ~100× slower than a normal
/// operation: MobileNetV3-Large's backward pass measured 119.7 ms on one core, 53 ms with
/// subnormals flushed. Values that small carry nothing a figure can show. TensorFlow flushes
/// them around every op in the same way; PyTorch leaves them unless asked.
///
/// The mode belongs to a thread, so `Parallelism.run` hands the caller's mode to the threads
/// that run its pieces: every piece of one region computes in the same mode.
public enum SubnormalFlush {
    /// Runs `body` with subnormals flushed on this thread (and, through `Parallelism.run`, on
    /// the threads it uses), then restores the thread's previous mode.
    @inline(__always)
    public static func around<R>(_ body: () throws -> R) rethrows -> R {
        let previous = vz_flush_subnormals()
        defer { vz_set_fp_mode(previous) }
        return try body()
    }

    /// Whether this thread flushes subnormals now.
    public static var isActive: Bool {
        let probe = Float.leastNormalMagnitude
        return opaque(probe) * opaque(0.5) == 0
    }

    /// Hides a value from the optimizer, so the product above is computed at run time.
    @inline(never)
    private static func opaque(_ value: Float) -> Float { value }
}
