import Common
import Foundation

/// Pandoc's and Quarto's citations in lesson prose, from `Content/references.bib`:
/// `[@selvaraju2017]` becomes "(Selvaraju et al., 2017)" linked to the lesson's reference
/// list, `[@a; @b]` cites two works, `[@key, p. 3]` adds a locator, and `[-@key]` gives the
/// year alone ("Selvaraju et al. [-@selvaraju2017] show" reads "… (2017) show"). Each
/// lesson that cites (or names works in its front matter's `nocite:`) gets a reference
/// list, author–year, sorted by first author (up to five authors named, else the first and
/// "et al."): under its own `## References {#references}` heading if it has one, else
/// under one added at its end. No script.
enum Citations {
    /// One citation as written in a lesson: its keys, with their locators, and its place.
    struct Written: Sendable, Equatable {
        let items: [Item]
        let line: Int
        let column: Int
    }

    struct Item: Sendable, Equatable {
        let key: String
        let locator: String?
        /// `[-@key]`: the year alone, for prose that already names the authors.
        var yearOnly = false
    }

    /// The id of a lesson's reference list heading.
    static let headingID = "references"

    /// The citations of Markdown `text` outside code (fences and backticks), with their
    /// file lines (`lineOffset` is the line before the text's first).
    static func find(in text: String, lineOffset: Int) -> [Written] {
        guard text.contains("[@") || text.contains("[-@") else { return [] }
        var result: [Written] = [], inFence = false
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                inFence.toggle()
                continue
            }
            guard !inFence, line.contains("[@") || line.contains("[-@") else { continue }
            var inCode = false, column = 1, rest = line[...]
            while let c = rest.first {
                if c == "`" { inCode.toggle() }
                if !inCode, rest.hasPrefix("[@") || rest.hasPrefix("[-@"), let close = rest.firstIndex(of: "]"),
                    let items = parse(rest[rest.index(after: rest.startIndex)..<close])
                {
                    result.append(Written(items: items, line: i + 1 + lineOffset, column: column))
                    column += rest[..<close].count + 1
                    rest = rest[rest.index(after: close)...]
                    continue
                }
                column += 1
                rest = rest.dropFirst()
            }
        }
        return result
    }

    /// The inside of the brackets, `@a; @b, p. 3`, as items; nil when it is no citation.
    static func parse(_ inner: Substring) -> [Item]? {
        var items: [Item] = []
        for part in inner.split(separator: ";", omittingEmptySubsequences: false) {
            var text = part.trimmingCharacters(in: .whitespaces)
            let yearOnly = text.hasPrefix("-@")
            if yearOnly { text.removeFirst() }
            guard text.hasPrefix("@") else { return nil }
            var key = String(text.dropFirst().prefix { $0.isLetter || $0.isNumber || "_:.-/+".contains($0) })
            while let last = key.last, ".:".contains(last) { key.removeLast() }
            guard !key.isEmpty, key.first!.isLetter || key.first!.isNumber || key.first == "_" else { return nil }
            var locator = text.dropFirst(1 + key.count).trimmingCharacters(in: .whitespaces)
            if locator.hasPrefix(",") { locator = locator.dropFirst().trimmingCharacters(in: .whitespaces) }
            items.append(Item(key: key, locator: locator.isEmpty ? nil : locator, yearOnly: yearOnly))
        }
        return items.isEmpty ? nil : items
    }

    /// How prose names each work: "Selvaraju et al." and "2017" (family names and year;
    /// a, b … after the year where two works would read the same).
    static func labels(_ bibliography: Bibliography) -> [String: Label] {
        var labels: [String: Label] = [:], groups: [String: [String]] = [:]
        for entry in bibliography.entries {
            let people = entry.people.map(\.family)
            let names: String
            switch (people.count, entry.hasMorePeople) {
            case (0, _): names = entry["title"] ?? entry.key
            case (1, false): names = people[0]
            case (2, false): names = "\(people[0]) & \(people[1])"
            default: names = "\(people[0]) \(etAl)"
            }
            groups["\(names), \(entry.year)", default: []].append(entry.key)
            labels[entry.key] = Label(names: names, year: entry.year)
        }
        for (_, keys) in groups where keys.count > 1 {
            for (i, key) in keys.enumerated() {
                labels[key]!.year += String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i % 26)))
            }
        }
        return labels
    }

    /// Stands for "et al." in a label; each edition says it in its own words.
    static let etAl = "@VIZSITE_ET_AL@"

    /// A work as prose names it.
    struct Label: Sendable, Equatable {
        var names: String
        var year: String
    }

    /// `html` with each citation outside `<code>` and `<pre>` whose keys are all in
    /// `labels` made links to the reference list; anything else left as written.
    static func link(_ html: String, labels: [String: Label], strings: InterfaceStrings = InterfaceStrings()) -> String
    {
        guard html.contains("[@") || html.contains("[-@") else { return html }
        // One pass over the bytes: a page with figures is a megabyte, and code is skipped whole.
        let bytes = Array(html.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 1024)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if let end = HTMLBytes.codeEnd(bytes, at: i) {
                out += bytes[i..<end]
                i = end
                continue
            }
            if byte == UInt8(ascii: "["), i + 2 < bytes.count,
                bytes[i + 1] == UInt8(ascii: "@")
                    || (bytes[i + 1] == UInt8(ascii: "-") && bytes[i + 2] == UInt8(ascii: "@")),
                let close = bytes[(i + 1)...].firstIndex(where: { $0 == UInt8(ascii: "]") || $0 == UInt8(ascii: "<") }),
                bytes[close] == UInt8(ascii: "]"),
                let items = parse(Substring(String(decoding: bytes[(i + 1)..<close], as: UTF8.self))),
                items.allSatisfy({ labels[$0.key] != nil })
            {
                out += Array(citation(items, labels: labels, strings: strings).utf8)
                i = close + 1
                continue
            }
            out.append(byte)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The linked text of one citation, in the edition's words.
    private static func citation(_ items: [Item], labels: [String: Label], strings: InterfaceStrings) -> String {
        let cited = items.map { item in
            let label = labels[item.key]!
            let names = label.names.replacingAll(etAl, with: strings["citation_et_al"])
            let text =
                item.yearOnly
                ? label.year : strings.format("citation_author_year", ["names": names, "year": label.year])
            return "<a href=\"#ref-\(HTML.escape(item.key))\">" + HTML.escape(text)
                + (item.locator.map { strings["citation_separator_locator"] + $0 } ?? "") + "</a>"
        }
        let joined = cited.joined(separator: HTML.escape(strings["citation_separator"]))
        let whole = HTML.escape(strings.format("citation", ["cites": "\u{1}"]))
        return "<span class=\"citation\">" + whole.replacingAll("\u{1}", with: joined) + "</span>"
    }

    /// The reference list of `keys`: author–year, sorted by first author's family name,
    /// then year; each item's id is `ref-key`, its title linked to its URL, DOI or arXiv page.
    static func list(_ keys: [String], bibliography: Bibliography, labels: [String: Label] = [:]) -> String {
        let entries = keys.compactMap { bibliography[$0] }.sorted {
            let a = ($0.people.first?.family ?? $0["title"] ?? $0.key, $0.year, $0.key)
            let b = ($1.people.first?.family ?? $1["title"] ?? $1.key, $1.year, $1.key)
            return a < b
        }
        var out = "<ul class=\"references\">\n"
        for entry in entries {
            let people = entry.people.map { person in
                person.given.isEmpty ? person.family : "\(person.family), \(Bibliography.initials(person.given))"
            }
            let authors: String
            switch (people.count, entry.hasMorePeople) {
            case (0, _): authors = ""
            case (1, false): authors = people[0]
            case (2...5, false): authors = people.dropLast().joined(separator: ", ") + " & " + people.last!
            default: authors = people[0] + " et al."
            }
            let title = HTML.escape(entry["title"] ?? entry.key)
            var item = authors.isEmpty ? "" : HTML.escape(authors) + " "
            item += "(\(HTML.escape(labels[entry.key]?.year ?? entry.year))). "
            item += entry.link.map { "<a href=\"\(HTML.escape($0))\">\(title)</a>" } ?? title
            item += "."
            if let venue = venue(of: entry) { item += " " + venue + "." }
            out += "<li id=\"ref-\(HTML.escape(entry.key))\">\(item)</li>\n"
        }
        return out + "</ul>\n"
    }

    /// Where a work appeared: its journal, proceedings, book or publisher, as HTML.
    static func venue(of entry: Bibliography.Entry) -> String? {
        switch entry.type {
        case "article": return entry["journal"].map(HTML.escape)
        case "inproceedings", "conference": return entry["booktitle"].map(HTML.escape)
        case "incollection", "inbook":
            guard let book = entry["booktitle"] else { return entry["publisher"].map(HTML.escape) }
            return "In <em>\(HTML.escape(book))</em>" + (entry["publisher"].map { ", " + HTML.escape($0) } ?? "")
        case "phdthesis", "mastersthesis": return entry["school"].map(HTML.escape)
        default:
            return
                (entry["journal"] ?? entry["booktitle"] ?? entry["howpublished"] ?? entry["publisher"]
                ?? entry["note"]).map(HTML.escape)
        }
    }

    /// `html` with `list` at the end of its `references` section (a heading whose id is
    /// `references`), else under a new heading `title` at its end; and whether it added that heading.
    static func insert(_ list: String, into html: String, title: String) -> (html: String, addedHeading: Bool) {
        let heading = "<h2 id=\"\(headingID)\">"
        guard let start = html.range(of: heading) else {
            return (html + "<h2 id=\"\(headingID)\">\(HTML.escape(title))</h2>\n" + list, true)
        }
        let next = html[start.upperBound...].range(of: "<h2")?.lowerBound ?? html.endIndex
        return (String(html[..<next]) + list + String(html[next...]), false)
    }
}
