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
    public static let sourceDigest = "285c52ec3d25c1e3f4cae62823cf0b7c2c16fd13c0772e1f02856d770573a13c"
}
