import Yams

/// A YAML node together with the file it came from, with typed accessors whose errors
/// point at the node (`file:line:column`) and say what was expected.
///
/// Model specs, site configuration and directive options are all read through this,
/// so every configuration error in vizsite has the same shape.
public struct YAMLValue {
    public let node: Node
    public let file: String
    /// Added to the node's line: for YAML embedded in a larger file (front matter,
    /// a directive's body), the line of the file on which the YAML starts, minus one.
    public let lineOffset: Int

    public init(node: Node, file: String, lineOffset: Int = 0) {
        self.node = node
        self.file = file
        self.lineOffset = lineOffset
    }

    /// Parses `text`; a syntax error points at the line and column YAML reports.
    /// An empty document is an empty mapping.
    public static func parse(_ text: String, file: String, lineOffset: Int = 0) throws(SourceError) -> YAMLValue {
        do {
            let node = try Yams.compose(yaml: text) ?? Node.mapping(Node.Mapping([]))
            return YAMLValue(node: node, file: file, lineOffset: lineOffset)
        } catch let error as YamlError {
            throw SourceError.yaml(error, file: file, lineOffset: lineOffset)
        } catch {
            throw SourceError(
                "cannot read YAML: \(error)", at: SourceLocation(file: file, line: lineOffset + 1, column: 1))
        }
    }

    public var location: SourceLocation {
        let mark = node.mark
        return SourceLocation(file: file, line: (mark?.line ?? 1) + lineOffset, column: mark?.column ?? 1)
    }

    func child(_ node: Node) -> YAMLValue { YAMLValue(node: node, file: file, lineOffset: lineOffset) }

    public func error(_ message: String, suggestion: String? = nil) -> SourceError {
        SourceError(message, at: location, suggestion: suggestion)
    }

    /// A short description of what the node holds, for "expected …, found …" messages.
    var found: String {
        switch node {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    public func string() throws(SourceError) -> String {
        guard case .scalar(let s) = node else { throw error("expected a string, found \(found)") }
        return s.string
    }

    public func int() throws(SourceError) -> Int {
        guard case .scalar(let s) = node, let value = Int(s.string) else {
            throw error("expected an integer, found \(found)")
        }
        return value
    }

    public func double() throws(SourceError) -> Double {
        guard case .scalar(let s) = node, let value = Double(s.string), value.isFinite else {
            throw error("expected a number, found \(found)")
        }
        return value
    }

    public func bool() throws(SourceError) -> Bool {
        guard case .scalar(let s) = node, let value = Bool.fromYAML(s.string) else {
            throw error("expected true or false, found \(found)")
        }
        return value
    }

    public func list() throws(SourceError) -> [YAMLValue] {
        guard case .sequence(let s) = node else { throw error("expected a list, found \(found)") }
        return s.map(child)
    }

    /// The mapping's entries in order, keys as strings.
    public func mapping() throws(SourceError) -> YAMLMapping {
        guard case .mapping(let m) = node else { throw error("expected a mapping of options, found \(found)") }
        var entries: [(key: YAMLValue, value: YAMLValue)] = []
        for (k, v) in m { entries.append((child(k), child(v))) }
        return YAMLMapping(owner: self, entries: entries)
    }

    /// An integer, or a pair `[a, b]`; a single integer `n` means `(n, n)`.
    public func intPair() throws(SourceError) -> (Int, Int) {
        if case .sequence = node {
            let items = try list()
            guard items.count == 2 else { throw error("expected two integers [a, b], found \(items.count) items") }
            return (try items[0].int(), try items[1].int())
        }
        let n = try int()
        return (n, n)
    }

    /// One of `choices`; otherwise an error naming them and the nearest.
    public func choice<T: RawRepresentable & CaseIterable>(_ type: T.Type) throws(SourceError) -> T
    where T.RawValue == String {
        let text = try string()
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        throw error(
            "unknown value '\(text)', expected one of \(names.joined(separator: ", "))",
            suggestion: nearestName(to: text, in: names))
    }
}

/// The entries of a YAML mapping, with lookups that remember which keys were used.
public struct YAMLMapping {
    public let owner: YAMLValue
    public let entries: [(key: YAMLValue, value: YAMLValue)]

    public var keys: [String] { entries.compactMap { try? $0.key.string() } }

    public subscript(key: String) -> YAMLValue? {
        entries.first { (try? $0.key.string()) == key }?.value
    }

    public func required(_ key: String, in what: String) throws(SourceError) -> YAMLValue {
        guard let value = self[key] else { throw owner.error("\(what) is missing the required field '\(key)'") }
        return value
    }

    /// Rejects keys outside `allowed`, pointing at the first unknown key.
    public func checkKeys(_ allowed: [String], in what: String) throws(SourceError) {
        for (key, _) in entries {
            let name = try key.string()
            if !allowed.contains(name) {
                throw key.error(
                    "unknown field '\(name)' in \(what); expected one of \(allowed.joined(separator: ", "))",
                    suggestion: nearestName(to: name, in: allowed))
            }
        }
    }
}

extension Bool {
    static func fromYAML(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }
}

extension SourceError {
    /// Converts a Yams error to a positioned error.
    static func yaml(_ error: YamlError, file: String, lineOffset: Int) -> SourceError {
        func at(_ mark: Mark) -> SourceLocation {
            SourceLocation(file: file, line: mark.line + lineOffset, column: mark.column)
        }
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _),
            let .composer(context, problem, mark, _):
            var text = context.map { "\($0.text), \(problem)" } ?? problem
            if problem.contains("Maximum nesting level reached") {
                // libyaml's words name its C API; what the writer needs is the limit.
                text = "lists and mappings are nested too deep (libyaml reads at most 1,000 levels)"
            }
            if problem.contains("mapping values are not allowed") {
                text += " (a value that contains ': ' must be quoted, as in caption: \"Note: …\")"
            }
            return SourceError("invalid YAML: \(text)", at: at(mark))
        case let .duplicatedKeysInMapping(duplicates, context):
            return SourceError(
                "invalid YAML: duplicate key \(duplicates.joined(separator: ", "))", at: at(context.mark))
        case let .reader(problem, _, _, _):
            return SourceError(
                "invalid YAML: \(problem)", at: SourceLocation(file: file, line: lineOffset + 1, column: 1))
        default:
            return SourceError(
                "invalid YAML: \(error)", at: SourceLocation(file: file, line: lineOffset + 1, column: 1))
        }
    }
}
