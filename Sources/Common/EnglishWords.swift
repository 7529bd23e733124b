/// Counting and articles in the English messages vizsite prints ("1 page", "2 pages",
/// "an Add", "a Conv2D").
extension Int {
    /// The count and the noun, plural unless the count is 1: `3.counted("figure")`.
    public func counted(_ singular: String, plural: String? = nil) -> String {
        "\(self) " + (self == 1 ? singular : plural ?? singular + "s")
    }
}

extension String {
    /// The word after "a" or "an" by its first letter (layer types: "an Add", "a Dense");
    /// good enough for the names vizsite prints, which are not read aloud.
    public var withArticle: String {
        guard let first = first?.lowercased() else { return self }
        return ("aeio".contains(first) ? "an " : "a ") + self
    }
}
