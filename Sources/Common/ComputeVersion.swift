/// The version of vizsite's numerical code (CNN, Explain, Render and the C kernels), part
/// of every figure's cache key: figures cached by a vizsite that computed differently are
/// recomputed rather than reused.
///
/// `ComputeVersionTests` hashes those sources (comments aside) and compares the digest with `sourceDigest`:
/// when they change, bump `current` if the change can alter any number a figure shows,
/// and record the new digest either way.
public enum ComputeVersion {
    public static let current = "compute-8"
    /// SHA-256 of the numerical sources when `current` was last reviewed.
    public static let sourceDigest = "e2109c76314443d6f0abe3013f416df0491a954d01f9e4eb890df1c45d1a49c9"
}
