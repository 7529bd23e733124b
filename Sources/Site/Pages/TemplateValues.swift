import Mustache

/// A value the theme's Mustache templates read. Templates name fields in snake_case
/// (`search_index`, `has_toc`); Swift names them in camelCase (`searchIndex`, `hasToc`):
/// `child(named:)` maps one to the other, so the templates' names stay those README lists.
protocol TemplateValues: MustacheParent {}

extension TemplateValues {
    func child(named name: String) -> Any? {
        let label = Self.camelCase(name)
        guard let value = Mirror(reflecting: self).children.first(where: { $0.label == label })?.value else {
            return nil
        }
        let mirror = Mirror(reflecting: value)
        guard mirror.displayStyle == .optional else { return value }
        return mirror.children.first?.value
    }

    static func camelCase(_ name: String) -> String {
        let parts = name.split(separator: "_")
        return (parts.first.map(String.init) ?? "")
            + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }
}
