/// The version of vizsite's numerical code (CNN, Explain, Render and the C kernels), part
/// of every figure's cache key: figures cached by a vizsite that computed differently are
/// recomputed rather than reused.
///
/// `ComputeVersionTests` hashes those sources (comments aside) and compares the digest with `sourceDigest`:
/// when they change, bump `current` if the change can alter any number a figure shows,
/// and record the new digest either way.
public enum ComputeVersion {
    public static let current = "compute-2"
    /// SHA-256 of the numerical sources when `current` was last reviewed.
    public static let sourceDigest = "c441772318cd7486236942604383f575864820398cafac35a89fc303bd4995b0"
}
