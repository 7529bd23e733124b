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
    public static let sourceDigest = "9f9661bd203b339d8b14cf13c2ab61614cfe50d6e8d7783e5f9add9ca5147652"
}
