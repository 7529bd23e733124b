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
    public static let sourceDigest = "db547a4ef31bda87e6f23a77122053edac28c7af67691f835eb753a88b227311"
}
