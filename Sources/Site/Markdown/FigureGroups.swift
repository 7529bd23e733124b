import Common

/// Figures side by side in one row under one caption, written as Quarto and Pandoc write
/// a fenced div:
///
///     ::: figures {#cam740}
///     ```viz cam
///     …
///     ```
///
///     ```viz cam
///     …
///     ```
///
///     Layer-CAM of test digit 740 for class 9 (a) and class 4 (b).
///     :::
///
/// The group is numbered as one figure ("Figure 5"); its figures are 5a, 5b, … and their
/// own captions become the sub-captions "(a) …". `{#label}` lets prose refer to the whole
/// group as `{{fig:label}}`; each figure's `label:` still names the figure itself.
struct FigureGroupBlock: Sendable, Equatable {
    let label: String?
    /// The `::: figures` line.
    let line: Int
    let column: Int
    /// The group's figures, as indices of the document's directives.
    let figures: Range<Int>

    static func openMarker(_ index: Int) -> String { "<!--vizsite:group:\(index)-->" }
    static func captionMarker(_ index: Int) -> String { "<!--vizsite:group-caption:\(index)-->" }
    static func endMarker(_ index: Int) -> String { "<!--vizsite:group-end:\(index)-->" }

    /// What a paragraph's `:::` line says.
    enum Fence: Equatable {
        case open(label: String?)
        /// `::: tabs` (or Quarto's `::: {.panel-tabset}`).
        case openTabs
        case close
        /// A caption paragraph whose last line closes the group.
        case captionAndClose
        case invalid(String)
    }

    /// The fence a paragraph's lines make, if it has any: its first line starts with
    /// `:::`, or its last line is `:::` alone.
    static func fence(lines: [String]) -> Fence? {
        guard let first = lines.first else { return nil }
        let head = first.trimmingCharacters(in: .whitespaces)
        if head.hasPrefix(":::") {
            guard lines.count == 1 else {
                return .invalid("a ':::' line stands alone: put a blank line after it")
            }
            let rest = head.drop { $0 == ":" }.trimmingCharacters(in: .whitespaces)
            if rest.isEmpty { return .close }
            var words = rest.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if words == ["tabs"] || words == ["{.panel-tabset}"] { return .openTabs }
            guard words.first == "figures" || words.first == "{.figures}" else {
                return .invalid(
                    "'::: figures' opens a figure group (with '{#label}' to name it), '::: tabs' a tab set; "
                        + "vizsite knows no other ':::' block")
            }
            words.removeFirst()
            guard let attribute = words.first else { return .open(label: nil) }
            guard words.count == 1, attribute.hasPrefix("{#"), attribute.hasSuffix("}") else {
                return .invalid("a figure group is named as '::: figures {#label}'")
            }
            let label = String(attribute.dropFirst(2).dropLast())
            guard FigureReferences.isValid(label) else {
                return .invalid(
                    "a label is letters, digits, '-' and '_', starting with a letter or digit")
            }
            return .open(label: label)
        }
        if lines.count > 1, lines.last?.trimmingCharacters(in: .whitespaces) == ":::" { return .captionAndClose }
        return nil
    }

    /// Each figure's number as prose and captions show it ("3", or "5a" in a group), and
    /// each group's number, for a lesson of `count` figures and these groups.
    static func numbers(figures count: Int, groups: [FigureGroupBlock]) -> (figures: [FigureNumber], groups: [Int]) {
        var figures: [FigureNumber] = [], groupNumbers: [Int] = [], n = 0
        var index = 0
        while index < count {
            if let group = groups.first(where: { $0.figures.lowerBound == index }) {
                n += 1
                groupNumbers.append(n)
                for (k, _) in group.figures.enumerated() { figures.append(FigureNumber(number: n, sub: k)) }
                index = group.figures.upperBound
            } else {
                n += 1
                figures.append(FigureNumber(number: n))
                index += 1
            }
        }
        return (figures, groupNumbers)
    }

    /// `html` with each group's markers made its `<figure>`: `numbers` are the groups'
    /// numbers, `notes` what their figures all note (said once, under the caption),
    /// `strings` word "Figure 5.". A group takes the page's width (its figures side by side).
    static func render(
        _ html: String, groups: [FigureGroupBlock], numbers: [Int], notes: [[String]] = [], strings: InterfaceStrings
    ) -> String {
        var html = html
        for (index, group) in groups.enumerated() where index < numbers.count {
            let id = group.label.map { "fig-\($0)" } ?? "figure-\(numbers[index])"
            let number = HTML.escape(strings.format("figure_caption", ["n": String(numbers[index])]))
            let shared = index < notes.count ? notes[index] : []
            let meta =
                shared.isEmpty
                ? ""
                : "<span class=\"viz-meta\">" + Figure.noteSpans(shared) + "</span>"
            html = html.replacingAll(
                openMarker(index),
                with: "<figure class=\"viz viz-group l-page\" id=\"\(id)\">\n<div class=\"viz-group-row\">")
            html = html.replacingAll(
                captionMarker(index) + "\n<p>",
                with: "</div>\n<figcaption><span class=\"viz-number\">\(number)</span> ")
            html = html.replacingAll(
                "</p>\n" + endMarker(index), with: FigureText.resolve(meta, strings) + "</figcaption>\n</figure>")
        }
        return html
    }

    /// The notes all of `notes` share, in the first's order (none for fewer than two).
    static func commonNotes(_ notes: [[String]]) -> [String] {
        guard let first = notes.first, notes.count > 1 else { return [] }
        return first.filter { note in notes.dropFirst().allSatisfy { $0.contains(note) } }
    }
}

/// A figure's number in its lesson: `number`, and its letter when it is one of a group's figures.
struct FigureNumber: Sendable, Equatable, CustomStringConvertible {
    let number: Int
    /// Its place in its group (0 is "a"), nil outside a group.
    var sub: Int? = nil

    /// The letter of a group's figure: a, b, … z, then aa, ab ….
    var letter: String? {
        guard let sub else { return nil }
        let letters = Array("abcdefghijklmnopqrstuvwxyz")
        return sub < 26 ? String(letters[sub]) : String(letters[sub / 26 - 1]) + String(letters[sub % 26])
    }

    /// "3", or "5a".
    var description: String { "\(number)\(letter ?? "")" }
}

/// Variants of a passage (PyTorch and Keras versions of a snippet) as tabs, written as
/// Quarto writes a tabset: `::: tabs` (or `::: {.panel-tabset}`), a heading per tab (its
/// title, left out of the table of contents) and the tab's content under it, then `:::`.
/// Radio buttons and CSS switch the tabs: no script, and every tab prints.
enum TabSets {
    /// The most tabs a set may hold (the style sheet switches that many).
    static let most = 8

    static func openMarker(_ set: Int) -> String { "<!--vizsite:tabs:\(set)-->" }
    static func tabMarker(_ set: Int, _ tab: Int) -> String { "<!--vizsite:tab:\(set):\(tab)-->" }
    static func endMarker(_ set: Int) -> String { "<!--vizsite:tabs-end:\(set)-->" }

    /// `html` with each set's markers made its tabs: `titles[set]` are its tabs' titles.
    static func render(_ html: String, titles: [[String]]) -> String {
        var html = html
        for (set, names) in titles.enumerated() {
            var head = "<div class=\"tabs\">\n"
            for (tab, name) in names.enumerated() {
                let id = "tabs-\(set)-\(tab)"
                head += "<input type=\"radio\" name=\"tabs-\(set)\" id=\"\(id)\"\(tab == 0 ? " checked" : "")>"
                head += "<label for=\"\(id)\">\(HTML.escape(name))</label>\n"
            }
            html = html.replacingAll(openMarker(set), with: head)
            for tab in names.indices {
                html = html.replacingAll(
                    tabMarker(set, tab), with: (tab > 0 ? "</div>\n" : "") + "<div class=\"tab-panel\">")
            }
            html = html.replacingAll(endMarker(set), with: names.isEmpty ? "</div>" : "</div>\n</div>")
        }
        return html
    }
}
