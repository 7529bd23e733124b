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
    public static let sourceDigest = "095da3f9a85a0b5cc04136536dc0b2f813d40f3bf23aa097a0a59d6b76ccc46c"
}
