/// The version of vizsite's numerical code (CNN, Explain, Render and the C kernels), part
/// of every figure's cache key: figures cached by a vizsite that computed differently are
/// recomputed rather than reused.
///
/// `ComputeVersionTests` hashes those sources (comments aside) and compares the digest with `sourceDigest`:
/// when they change, bump `current` if the change can alter any number a figure shows,
/// and record the new digest either way.
public enum ComputeVersion {
    public static let current = "compute-4"
    /// SHA-256 of the numerical sources when `current` was last reviewed.
    public static let sourceDigest = "82906e5ab5c75f2ece4b20b8cca0a517c488192b495daecf25032c2e8f55c0b7"
}
