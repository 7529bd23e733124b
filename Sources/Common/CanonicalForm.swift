/// A value's canonical text for cache keys: every stored property that is set, recursively,
/// in declaration order; dictionaries and sets sorted; source positions and the labels a
/// caller names left out. Two values that would compute the same result print the same,
/// whichever way their source text was written (an option omitted or spelled at its
/// default, a comment or reformatting in YAML), because the text comes from the parsed,
/// typed value and never from the source.
public enum CanonicalForm {
    /// The canonical text of `value`, leaving out stored properties labelled as in `excluding`.
    public static func text(_ value: Any, excluding: Set<String> = []) -> String {
        var out = ""
        write(value, excluding: excluding, to: &out)
        return out
    }

    private static func write(_ value: Any, excluding: Set<String>, to out: inout String) {
        if value is SourceLocation { out += "@"; return }
        if let named = value as? any CanonicallyNamed {
            out += "\(type(of: value))(\(named.canonicalName))"
            return
        }
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            if let some = mirror.children.first {
                write(some.value, excluding: excluding, to: &out)
            } else {
                out += "nil"
            }
        case .collection, .tuple:
            out += "["
            for (i, child) in mirror.children.enumerated() {
                if i > 0 { out += "," }
                if let label = child.label, mirror.displayStyle == .tuple, !label.hasPrefix(".") { out += label + ":" }
                write(child.value, excluding: excluding, to: &out)
            }
            out += "]"
        case .dictionary, .set:
            let items = mirror.children.map { child -> String in
                var item = ""
                write(child.value, excluding: excluding, to: &item)
                return item
            }
            out += "{" + items.sorted().joined(separator: ",") + "}"
        case .struct, .class:
            out += "\(type(of: value))("
            var first = true
            for child in mirror.children {
                guard let label = child.label, !excluding.contains(label) else { continue }
                // An absent optional is left out, so that adding an optional property
                // leaves the keys of values that do not set it unchanged.
                let optional = Mirror(reflecting: child.value)
                if optional.displayStyle == .optional && optional.children.isEmpty { continue }
                if !first { out += "," }
                first = false
                out += label + ":"
                write(child.value, excluding: excluding, to: &out)
            }
            out += ")"
        case .enum:
            out += "\(type(of: value))."
            if let payload = mirror.children.first {
                out += (payload.label ?? "") + "("
                write(payload.value, excluding: excluding, to: &out)
                out += ")"
            } else {
                out += String(describing: value)
            }
        default:
            if value is any StringProtocol {
                out +=
                    "\""
                    + String(describing: value).replacingOccurrences(of: "\\", with: "\\\\")
                    .replacingOccurrences(of: "\"", with: "\\\"") + "\""
            } else if mirror.displayStyle == nil, "\(type(of: value))".contains("->") {
                out += "fn"  // closures carry no comparable value
            } else {
                out += String(describing: value)
            }
        }
    }
}

/// A value whose name determines it (a colormap and its 256-entry table): its canonical
/// form is the name, not every stored property.
public protocol CanonicallyNamed {
    var canonicalName: String { get }
}
