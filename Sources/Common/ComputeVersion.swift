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
    public static let sourceDigest = "b5bc32088fbae89717a6ea69537ff3087b2e1c001770f00e1d7946ce03297af8"
}
