/// The version of vizsite's numerical code (CNN, Explain, Render and the C kernels), part
/// of every figure's cache key: figures cached by a vizsite that computed differently are
/// recomputed rather than reused.
///
/// `ComputeVersionTests` hashes those sources (comments aside) and compares the digest with `sourceDigest`:
/// when they change, bump `current` if the change can alter any number a figure shows,
/// and record the new digest either way.
public enum ComputeVersion {
    public static let current = "compute-6"
    /// SHA-256 of the numerical sources when `current` was last reviewed.
    public static let sourceDigest = "f7772967314e86dbf6808c6b3446a72985dad53fe3e84d4ad918131683509983"
}
