extension MarkdownDocument {
    /// The line and column (1-based, in `body`) of a fenced code block that is never
    /// closed, if any. CommonMark lets such a fence run to the end of the document, so a
    /// forgotten closing fence silently turns the rest of a lesson, its directives
    /// included, into code.
    static func unclosedFence(in body: String) -> (line: Int, column: Int)? {
        var open: (marker: Character, count: Int, line: Int, column: Int)?
        for (index, line) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let indent = line.prefix { $0 == " " }.count
            guard indent <= 3 else { continue }
            let rest = line.dropFirst(indent)
            guard let marker = rest.first, marker == "`" || marker == "~" else { continue }
            let count = rest.prefix { $0 == marker }.count
            guard count >= 3 else { continue }
            let after = rest.dropFirst(count)
            if let fence = open {
                // A closing fence: the same character, at least as many, nothing after but spaces.
                if marker == fence.marker, count >= fence.count, after.allSatisfy({ $0 == " " || $0 == "\t" }) {
                    open = nil
                }
            } else if marker == "~" || !after.contains("`") {
                open = (marker, count, index + 1, indent + 1)
            }
        }
        return open.map { ($0.line, $0.column) }
    }
}
