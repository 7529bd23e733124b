/// The version of vizsite's numerical code (CNN, Explain, Render and the C kernels), part
/// of every figure's cache key: figures cached by a vizsite that computed differently are
/// recomputed rather than reused.
///
/// `ComputeVersionTests` hashes those sources (comments aside) and compares the digest with `sourceDigest`:
/// when they change, bump `current` if the change can alter any number a figure shows,
/// and record the new digest either way.
public enum ComputeVersion {
    public static let current = "compute-3"
    /// SHA-256 of the numerical sources when `current` was last reviewed.
    public static let sourceDigest = "da8b02d3701e2c478dbd1faf32d7acbba378b76f1e1ab8c321deb1e6e51c7ea8"
}
