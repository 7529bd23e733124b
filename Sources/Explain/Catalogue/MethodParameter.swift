/// A parameter an explanation method takes (SmoothGrad's `samples`, occlusion's `patch`,
/// a CAM's `upsample`), declared once: the directive reference, directive options and
/// the command line all read it from here.
public struct MethodParameter: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
        case choice([String])
    }

    public let name: String
    public let kind: Kind
    /// The default, as YAML writes it.
    public let defaultText: String
    public let doc: String

    public static func integer(
        _ name: String, _ range: ClosedRange<Int>, default value: Int, _ doc: String
    ) -> MethodParameter {
        MethodParameter(name: name, kind: .integer(range), defaultText: String(value), doc: doc)
    }

    public static func number(
        _ name: String, _ range: ClosedRange<Double>, default value: Double, _ doc: String
    ) -> MethodParameter {
        MethodParameter(name: name, kind: .number(range), defaultText: format(value), doc: doc)
    }

    public static func choice(
        _ name: String, _ choices: [String], default value: String, _ doc: String
    ) -> MethodParameter {
        MethodParameter(name: name, kind: .choice(choices), defaultText: value, doc: doc)
    }

    /// The type as the reference shows it: `integer 1–500`, `number 0–1`, `one of a, b`.
    public var typeDescription: String {
        switch kind {
        case .integer(let r): "integer \(r.lowerBound)–\(r.upperBound)"
        case .number(let r): "number \(Self.format(r.lowerBound))–\(Self.format(r.upperBound))"
        case .choice(let names): "one of \(names.joined(separator: ", "))"
        }
    }

    /// `text` as a value of this parameter in canonical form, or nil when it is not one.
    public func canonical(_ text: String) -> String? {
        switch kind {
        case .integer(let r): Int(text).flatMap { r.contains($0) ? String($0) : nil }
        case .number(let r): Double(text).flatMap { r.contains($0) ? Self.format($0) : nil }
        case .choice(let names): names.contains(text) ? text : nil
        }
    }

    /// A number as YAML writes it: `50`, `0.15`.
    public static func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}

/// Parameter values, every one resolved and in canonical text: what a method is built
/// from, and part of a figure's cache key.
public struct MethodSettings: Sendable, Hashable {
    public private(set) var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    public subscript(name: String) -> String? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public func int(_ name: String) -> Int { values[name].flatMap { Int($0) } ?? 0 }
    public func float(_ name: String) -> Float { values[name].flatMap { Float($0) } ?? 0 }
    public func text(_ name: String) -> String { values[name] ?? "" }
}
