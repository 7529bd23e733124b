/// vizsite's version: `vizsite --version` prints it, and every page names it in its
/// `<meta name="generator">`, as Hugo does.
public enum VizsiteVersion {
    public static let current = "0.2.0"
    /// How pages name their generator.
    public static var generator: String { "vizsite \(current)" }
}
