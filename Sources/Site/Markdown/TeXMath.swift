import Common
import Foundation

/// TeX math as MathML Core, at build time: the subset a tutorial's formulas use —
/// fractions, roots, sub- and superscripts, Greek letters, sums, products and integrals,
/// partial derivatives, `\operatorname`, `\mathrm`, `\text`, `\mathbf`, `\mathbb`, matrices
/// and cases, `\left…\right`, spacing, common operators, relations and accents. Chromium,
/// Firefox and Safari render the result with no script. A command outside the subset is
/// an error at its position, never a silently wrong formula.
package struct TeXMath {
    /// A command the subset lacks, or a malformed formula, at `offset` characters into it.
    package struct Failure: Error, Equatable {
        package let message: String
        package let offset: Int
        var suggestion: String? = nil
    }

    /// `tex` as a `<math>` element (`display` for `$$…$$`), its source kept as an annotation.
    package static func mathML(_ tex: String, display: Bool) throws(Failure) -> String {
        var parser = TeXMath(characters: Array(tex), display: display)
        let body = try parser.expression(until: nil)
        let annotation = "<annotation encoding=\"application/x-tex\">\(HTML.escape(tex))</annotation>"
        return "<math\(display ? " display=\"block\"" : "")><semantics>\(row(body))\(annotation)</semantics></math>"
    }

    private let characters: [Character]
    private let display: Bool
    private var position = 0
    /// How deep the parser is in nested groups and arguments: each level is a few stack frames,
    /// so a formula nested deeper than any real one (`\sqrt{` ×10,000) is an error, not a crash.
    private var depth = 0
    static let maximumDepth = 200

    /// Enters one level of nesting at `offset`.
    private mutating func descend(at offset: Int) throws(Failure) {
        depth += 1
        if depth > Self.maximumDepth {
            let levels = Self.maximumDepth / 2
            throw Failure(message: "the formula nests groups and arguments more than \(levels) deep", offset: offset)
        }
    }

    private init(characters: [Character], display: Bool) {
        self.characters = characters
        self.display = display
    }

    // MARK: Grammar

    /// One item of an expression, with what a following script needs to know of it.
    private struct Item {
        var markup: String
        /// Big operators (∑, ∏, lim, argmax) take their limits under and over in display math.
        var limits = false
        /// Markup that follows the item and its scripts: the invisible function application
        /// after `\log` or `\operatorname{…}` (a script's base must be one element).
        var after = ""
    }

    /// Items up to the end, or up to `terminator` (`}`, `\right`, `\end`, `&`, `\\`), which is
    /// left for the caller to consume.
    private mutating func expression(until terminator: Set<String>?) throws(Failure) -> [String] {
        try descend(at: position)
        defer { depth -= 1 }
        var items: [Item] = []
        while true {
            skipSpaces()
            guard position < characters.count else {
                if let terminator {
                    let message =
                        terminator.contains("}")
                        ? "a '{' is never closed"
                        : terminator.contains("\\right")
                            ? "\\left without a \\right"
                            : terminator.contains("\\end") ? "\\begin without its \\end" : "'[' is never closed"
                    throw Failure(message: message, offset: position)
                }
                break
            }
            if let terminator, terminator.contains(where: { lookingAt($0) }) { break }
            let c = characters[position]
            if c == "}" { throw Failure(message: "unmatched '}'", offset: position) }
            if c == "^" || c == "_" {
                guard var base = items.popLast() else {
                    throw Failure(message: "'\(c)' needs something before it to attach to", offset: position)
                }
                base.markup = try scripts(on: base)
                items.append(base)
                continue
            }
            if c == "'" {
                // Primes: f' is f with a superscript ′.
                var primes = ""
                while position < characters.count, characters[position] == "'" {
                    primes += "′"
                    position += 1
                }
                let popped = items.popLast()
                let base = popped?.markup ?? "<mrow></mrow>", after = popped?.after ?? ""
                skipSpaces()
                // x'_i: the prime and the subscript on the same base, as TeX sets them.
                if position < characters.count, characters[position] == "_" {
                    position += 1
                    let sub = try argument()
                    items.append(Item(markup: "<msubsup>\(base)\(sub)<mo>\(primes)</mo></msubsup>", after: after))
                } else {
                    items.append(Item(markup: "<msup>\(base)<mo>\(primes)</mo></msup>", after: after))
                }
                continue
            }
            if lookingAt("\\displaystyle") || lookingAt("\\textstyle") {
                let on = lookingAt("\\displaystyle")
                position += on ? 13 : 10
                let rest = try expression(until: terminator)
                items.append(Item(markup: "<mstyle displaystyle=\"\(on)\">\(Self.row(rest))</mstyle>"))
                break
            }
            items.append(try atom())
        }
        return items.map { $0.markup + $0.after }
    }

    /// `^` and `_` after `base`, in either order.
    private mutating func scripts(on base: Item) throws(Failure) -> String {
        var sub: String?, sup: String?
        while position < characters.count, characters[position] == "^" || characters[position] == "_" {
            let isSup = characters[position] == "^"
            let at = position
            position += 1
            if (isSup ? sup : sub) != nil {
                throw Failure(
                    message: "double \(isSup ? "superscript" : "subscript"); group them with braces", offset: at)
            }
            let argument = try self.argument()
            if isSup { sup = argument } else { sub = argument }
            skipSpaces()
        }
        let under = base.limits && display
        switch (sub, sup) {
        case let (sub?, sup?):
            return under
                ? "<munderover>\(base.markup)\(sub)\(sup)</munderover>"
                : "<msubsup>\(base.markup)\(sub)\(sup)</msubsup>"
        case let (sub?, nil):
            return under ? "<munder>\(base.markup)\(sub)</munder>" : "<msub>\(base.markup)\(sub)</msub>"
        case let (nil, sup?): return under ? "<mover>\(base.markup)\(sup)</mover>" : "<msup>\(base.markup)\(sup)</msup>"
        default: return base.markup
        }
    }

    /// A script's or a command's argument: a braced group, or one token.
    private mutating func argument() throws(Failure) -> String {
        try descend(at: position)
        defer { depth -= 1 }
        skipSpaces()
        guard position < characters.count else {
            throw Failure(message: "missing an argument at the end of the formula", offset: position)
        }
        if characters[position] == "{" { return try group() }
        let c = characters[position]
        if c == "}" || c == "^" || c == "_" || c == "&" {
            throw Failure(message: "missing an argument before '\(c)'", offset: position)
        }
        if c.isNumber {
            // TeX takes one digit: x^23 is x² followed by 3.
            position += 1
            return "<mn>\(c)</mn>"
        }
        return try atom().markup
    }

    /// `{…}` as one row.
    private mutating func group() throws(Failure) -> String {
        let open = position
        position += 1
        let items = try expression(until: ["}"])
        guard position < characters.count, characters[position] == "}" else {
            throw Failure(message: "'{' is never closed", offset: open)
        }
        position += 1
        return Self.row(items)
    }

    /// The text of a braced argument, as written (`\text{…}`, `\operatorname{…}`, environment names).
    private mutating func rawArgument() throws(Failure) -> String {
        skipSpaces()
        guard position < characters.count, characters[position] == "{" else {
            throw Failure(message: "expected '{' and a text argument", offset: position)
        }
        let open = position
        var depth = 0, text = ""
        while position < characters.count {
            let c = characters[position]
            position += 1
            if c == "{" {
                depth += 1
                if depth == 1 { continue }
            } else if c == "}" {
                depth -= 1
                if depth == 0 { return text }
            } else if c == "\\", position < characters.count, "{}\\$%&#_ ".contains(characters[position]) {
                text.append(characters[position] == " " ? " " : characters[position])
                position += 1
                continue
            }
            text.append(c)
        }
        throw Failure(message: "'{' is never closed", offset: open)
    }

    private mutating func atom() throws(Failure) -> Item {
        let c = characters[position]
        if c == "{" { return Item(markup: try group()) }
        if c == "\\" { return try command() }
        position += 1
        if c.isNumber || (c == "." && position < characters.count && characters[position].isNumber) {
            var number = String(c)
            while position < characters.count,
                characters[position].isNumber
                    || (characters[position] == "." && position + 1 < characters.count
                        && characters[position + 1].isNumber)
            {
                number.append(characters[position])
                position += 1
            }
            return Item(markup: "<mn>\(number)</mn>")
        }
        if c.isLetter { return Item(markup: "<mi>\(HTML.escape(String(c)))</mi>") }
        if c == "~" { return Item(markup: "<mspace width=\"0.333em\"></mspace>") }
        if c == "&" { throw Failure(message: "'&' outside a matrix or aligned block", offset: position - 1) }
        if c == "#" || c == "%" || c == "$" {
            throw Failure(message: "'\(c)' must be escaped as '\\\(c)' in math", offset: position - 1)
        }
        let symbol = Self.characterOperators[c] ?? String(c)
        return Item(markup: Self.operatorMarkup(symbol))
    }

    private mutating func command() throws(Failure) -> Item {
        let start = position
        position += 1
        guard position < characters.count else {
            throw Failure(message: "a lone backslash ends the formula", offset: start)
        }
        var name = ""
        if characters[position].isLetter {
            while position < characters.count, characters[position].isLetter, characters[position].isASCII {
                name.append(characters[position])
                position += 1
            }
        } else {
            name = String(characters[position])
            position += 1
        }
        if let space = Self.spaces[name] { return Item(markup: space) }
        if let symbol = Self.escapedSymbols[name] { return Item(markup: Self.operatorMarkup(symbol)) }
        if let letter = Self.greek[name] { return Item(markup: "<mi>\(letter)</mi>") }
        if let upright = Self.uprightGreek[name] { return Item(markup: "<mi mathvariant=\"normal\">\(upright)</mi>") }
        if let symbol = Self.ordinary[name] { return Item(markup: "<mi>\(symbol)</mi>") }
        if let symbol = Self.operators[name] { return Item(markup: Self.operatorMarkup(symbol)) }
        if let symbol = Self.bigOperators[name] {
            return Item(markup: "<mo movablelimits=\"true\">\(symbol)</mo>", limits: symbol != "∫" && symbol != "∮")
        }
        if Self.functions.contains(name) {
            return Item(
                markup: "<mi>\(name)</mi>", limits: Self.limitFunctions.contains(name), after: "<mo>&#x2061;</mo>")
        }
        switch name {
        case "frac", "dfrac", "tfrac":
            let numerator = try argument(), denominator = try argument()
            let fraction = "<mfrac>\(numerator)\(denominator)</mfrac>"
            return Item(
                markup: name == "frac"
                    ? fraction : "<mstyle displaystyle=\"\(name == "dfrac")\">\(fraction)</mstyle>")
        case "sqrt":
            skipSpaces()
            if position < characters.count, characters[position] == "[" {
                position += 1
                let index = try expression(until: ["]"])
                guard position < characters.count, characters[position] == "]" else {
                    throw Failure(message: "'[' of \\sqrt is never closed", offset: start)
                }
                position += 1
                return Item(markup: "<mroot>\(try argument())\(Self.row(index))</mroot>")
            }
            return Item(markup: "<msqrt>\(try argument())</msqrt>")
        case "text", "textrm", "textnormal", "mbox":
            return Item(markup: "<mtext>\(HTML.escape(try rawArgument()))</mtext>")
        case "operatorname":
            let limits = position < characters.count && characters[position] == "*"
            if limits { position += 1 }
            let text = try rawArgument()
            return Item(markup: "<mi>\(HTML.escape(text))</mi>", limits: limits, after: "<mo>&#x2061;</mo>")
        case "mathrm", "rm":
            let text = try rawArgument()
            return Item(
                markup: text.count == 1
                    ? "<mi mathvariant=\"normal\">\(HTML.escape(text))</mi>" : "<mi>\(HTML.escape(text))</mi>")
        case "mathit": return Item(markup: try argument())
        case "mathbf", "boldsymbol", "bm": return Item(markup: try styled(name, Self.bold))
        case "mathbb": return Item(markup: try styled(name, Self.doubleStruck))
        case "mathcal": return Item(markup: try styled(name, Self.calligraphic))
        case "left": return Item(markup: try fenced(start: start))
        case "right": throw Failure(message: "\\right without a \\left", offset: start)
        case "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr", "Biggl", "Biggr":
            var base = name
            if base.hasSuffix("l") || base.hasSuffix("r") { base.removeLast() }
            let size = ["big": "1.2em", "Big": "1.6em", "bigg": "2.1em", "Bigg": "2.6em"][base] ?? "1.2em"
            let delimiter = try self.delimiter(after: start)
            return Item(markup: "<mo minsize=\"\(size)\" maxsize=\"\(size)\">\(delimiter)</mo>")
        case "begin": return Item(markup: try environment(start: start))
        case "end": throw Failure(message: "\\end without a \\begin", offset: start)
        default: break
        }
        if let accent = Self.accents[name] {
            let base = try argument()
            return Item(
                markup: "<mover accent=\"true\">\(base)<mo stretchy=\"\(accent.stretchy)\">\(accent.mark)</mo></mover>")
        }
        if let mark = Self.underAccents[name] {
            return Item(
                markup: "<munder accentunder=\"true\">\(try argument())<mo stretchy=\"true\">\(mark)</mo></munder>")
        }
        throw Failure(
            message: "unsupported TeX command '\\\(name)' in math", offset: start,
            suggestion: Self.suggestion(for: name))
    }

    /// The known command `name` is likely a typo of. Command names are short: only a near
    /// miss is a plausible one.
    static func suggestion(for name: String) -> String? {
        guard let nearest = nearestName(to: name, in: knownCommands),
            editDistance(Array(name), Array(nearest)) <= max(1, name.count / 3)
        else { return nil }
        return "\\" + nearest
    }

    /// `\mathbf{x}`, `\mathbb{R}`: letters mapped to Unicode's mathematical alphabets (MathML
    /// Core's way to style them).
    private mutating func styled(_ name: String, _ map: (Character) -> Character?) throws(Failure) -> String {
        let at = position
        let text = try rawArgument()
        var out = ""
        for c in text where !c.isWhitespace {
            guard let mapped = map(c) else {
                throw Failure(message: "\\\(name) takes letters (and digits for \\mathbf), found '\(c)'", offset: at)
            }
            out.append(mapped)
        }
        return out.count == 1 || out.allSatisfy({ !$0.isNumber }) ? "<mi>\(out)</mi>" : "<mn>\(out)</mn>"
    }

    /// `\left( … \right)`: stretchy delimiters around a row.
    private mutating func fenced(start: Int) throws(Failure) -> String {
        let open = try delimiter(after: start)
        let body = try expression(until: ["\\right"])
        guard lookingAt("\\right") else { throw Failure(message: "\\left without a \\right", offset: start) }
        let right = position
        position += 6
        let close = try delimiter(after: right)
        func fence(_ d: String) -> String { d.isEmpty ? "" : "<mo fence=\"true\" stretchy=\"true\">\(d)</mo>" }
        return "<mrow>\(fence(open))\(body.joined())\(fence(close))</mrow>"
    }

    /// The delimiter after `\left`, `\right` or `\big`: a character, or a delimiter command;
    /// `.` is none.
    private mutating func delimiter(after start: Int) throws(Failure) -> String {
        skipSpaces()
        guard position < characters.count else { throw Failure(message: "missing a delimiter", offset: start) }
        let c = characters[position]
        if "()[]|/.".contains(c) {
            position += 1
            return c == "." ? "" : HTML.escape(String(c))
        }
        if c == "\\" {
            let at = position
            position += 1
            var name = ""
            while position < characters.count, characters[position].isLetter {
                name.append(characters[position])
                position += 1
            }
            if name.isEmpty, position < characters.count {
                name = String(characters[position])
                position += 1
            }
            if let d = Self.delimiters[name] { return d }
            throw Failure(message: "'\\\(name)' is not a delimiter", offset: at)
        }
        throw Failure(message: "'\(c)' is not a delimiter", offset: position)
    }

    /// `\begin{pmatrix} a & b \\ c & d \end{pmatrix}` and its kin: a table, with its fences.
    private mutating func environment(start: Int) throws(Failure) -> String {
        let name = try rawArgument()
        guard let fences = Self.environments[name] else {
            throw Failure(
                message: "unsupported environment '\(name)'; supported: "
                    + Self.environments.keys.sorted().joined(separator: ", "),
                offset: start)
        }
        var rows: [[String]] = [[]]
        while true {
            let cell = try expression(until: ["&", "\\\\", "\\end"])
            rows[rows.count - 1].append(Self.row(cell))
            if lookingAt("&") {
                position += 1
            } else if lookingAt("\\\\") {
                position += 2
                rows.append([])
            } else if lookingAt("\\end") {
                position += 4
                let closing = try rawArgument()
                guard closing == name else {
                    throw Failure(message: "\\begin{\(name)} is closed by \\end{\(closing)}", offset: start)
                }
                break
            } else {
                throw Failure(message: "\\begin{\(name)} is never ended", offset: start)
            }
        }
        if rows.count > 1, rows.last == ["<mrow></mrow>"] { rows.removeLast() }
        let aligned = name == "aligned" || name == "align" || name == "cases"
        let table =
            "<mtable>"
            + rows.map { cells in
                "<mtr>"
                    + cells.enumerated().map { i, cell in
                        let side = aligned ? (i % 2 == 0 && name != "cases" ? "right" : "left") : "center"
                        return "<mtd style=\"text-align: \(side)\">\(cell)</mtd>"
                    }.joined() + "</mtr>"
            }.joined() + "</mtable>"
        func fence(_ d: String) -> String { d.isEmpty ? "" : "<mo fence=\"true\" stretchy=\"true\">\(d)</mo>" }
        return "<mrow>\(fence(fences.open))\(table)\(fence(fences.close))</mrow>"
    }

    // MARK: Reading

    private func lookingAt(_ text: String) -> Bool {
        var i = position
        for c in text {
            guard i < characters.count, characters[i] == c else { return false }
            i += 1
        }
        // `\right` must not match `\rightarrow`.
        if text.first == "\\", text.count > 1, text.last!.isLetter, i < characters.count, characters[i].isLetter {
            return false
        }
        return true
    }

    private mutating func skipSpaces() {
        while position < characters.count, characters[position].isWhitespace { position += 1 }
    }

    static func row(_ items: [String]) -> String { items.count == 1 ? items[0] : "<mrow>\(items.joined())</mrow>" }

    static func operatorMarkup(_ symbol: String) -> String {
        let escaped = HTML.escape(symbol)
        // Brackets written plainly keep their size, as in TeX.
        return "()[]{}|‖⟨⟩⌊⌋⌈⌉".contains(symbol) && symbol.count == 1
            ? "<mo stretchy=\"false\">\(escaped)</mo>" : "<mo>\(escaped)</mo>"
    }
}
