/// The version of vizsite's numerical code (CNN, Explain, Render and the C kernels), part
/// of every figure's cache key: figures cached by a vizsite that computed differently are
/// recomputed rather than reused.
///
/// `ComputeVersionTests` hashes those sources (comments aside) and compares the digest with `sourceDigest`:
/// when they change, bump `current` if the change can alter any number a figure shows,
/// and record the new digest either way.
public enum ComputeVersion {
    public static let current = "compute-10"
    /// SHA-256 of the numerical sources when `current` was last reviewed.
    public static let sourceDigest = "698b8807ac2d42117263236a08b48da84b04ebe222efd9c14f6da06abd90ff8c"
}
