import Foundation

/// A Python box on a page: the code, and under it what `make check-snippets` found when it
/// ran the file (what the code computes, against vizsite's own values for the same figure).
enum SnippetBox {
    static func html(_ snippet: PlannedSnippet, strings: InterfaceStrings) -> String {
        let language = snippet.language.isEmpty ? "" : " class=\"language-\(HTML.escape(snippet.language))\""
        let checks = snippet.runs.map { run in
            guard let run else { return strings["snippet_unchecked"] }
            var results = run.agreements.map { agreement in
                agreement.maxDifference == 0
                    ? strings.format("snippet_agrees_exactly", ["what": HTML.escape(agreement.what)])
                    : strings.format(
                        "snippet_agrees",
                        ["what": HTML.escape(agreement.what), "difference": difference(agreement.maxDifference)])
            }
            // A note says why a snippet compares nothing, or what it does not compare.
            // (Its full stop is the sentence's, which the template ends: "." or "。".)
            if let note = run.note, !note.isEmpty { results.append(HTML.escape(note.withoutFullStop)) }
            return strings.format(
                "snippet_checked",
                [
                    "environment": HTML.escape(run.environment),
                    "results": results.joined(separator: strings["snippet_separator"]),
                ])
        }
        return "<div class=\"snippet\"><pre><code\(language)>\(HTML.escape(snippet.code))\n</code></pre>"
            + "<p class=\"snippet-check\">\(checks.joined(separator: " "))</p></div>"
    }

    /// A largest difference to one significant digit, as a power of ten: `3 × 10⁻⁷`.
    static func difference(_ value: Double) -> String {
        guard value.isFinite, value > 0 else { return value.isFinite ? "0" : "∞" }
        var exponent = Int(log10(value).rounded(.down))
        var mantissa = Int((value / pow(10, Double(exponent))).rounded())
        if mantissa == 10 {
            mantissa = 1
            exponent += 1
        }
        if exponent >= -2, exponent <= 2 {
            return String(format: "%.\(max(0, -exponent))f", Double(mantissa) * pow(10, Double(exponent)))
        }
        let superscripts = Array("⁰¹²³⁴⁵⁶⁷⁸⁹")
        let power = String(String(exponent).map { $0 == "-" ? "⁻" : superscripts[$0.wholeNumberValue!] })
        return (mantissa == 1 ? "" : "\(mantissa) × ") + "10" + power
    }
}

extension String {
    fileprivate var withoutFullStop: String {
        var text = self
        while let last = text.last, ".。．".contains(last) { text.removeLast() }
        return text
    }
}
