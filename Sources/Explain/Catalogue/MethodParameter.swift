/// A parameter an explanation method takes (SmoothGrad's `samples`, occlusion's `patch`),
/// declared once: the directive reference, directive options and the command line all
/// read it from here.
public struct MethodParameter: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case integer(ClosedRange<Int>)
        case number(ClosedRange<Double>)
    }

    public let name: String
    public let kind: Kind
    public let defaultValue: Double
    public let doc: String

    public static func integer(_ name: String, _ range: ClosedRange<Int>, default value: Int, _ doc: String) -> MethodParameter {
        MethodParameter(name: name, kind: .integer(range), defaultValue: Double(value), doc: doc)
    }

    public static func number(_ name: String, _ range: ClosedRange<Double>, default value: Double, _ doc: String) -> MethodParameter {
        MethodParameter(name: name, kind: .number(range), defaultValue: value, doc: doc)
    }

    /// The type as the reference shows it: `integer 1–500`, `number 0–1`.
    public var typeDescription: String {
        switch kind {
        case .integer(let r): "integer \(r.lowerBound)–\(r.upperBound)"
        case .number(let r): "number \(Self.format(r.lowerBound))–\(Self.format(r.upperBound))"
        }
    }

    /// The default as YAML writes it.
    public var defaultText: String { Self.format(defaultValue) }

    /// A number as YAML writes it: `50`, `0.15`.
    public static func format(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}

/// Parameter values, every one resolved: what a method is built from, and (canonical,
/// sorted by name) part of a figure's cache key.
public struct MethodSettings: Sendable, Hashable {
    public private(set) var values: [String: Double]

    public init(_ values: [String: Double] = [:]) { self.values = values }

    public subscript(name: String) -> Double? {
        get { values[name] }
        set { values[name] = newValue }
    }

    public func int(_ name: String) -> Int { Int(values[name] ?? 0) }
    public func float(_ name: String) -> Float { Float(values[name] ?? 0) }

    /// `name=value` pairs sorted by name.
    public var canonical: String {
        values.keys.sorted().map { "\($0)=\(MethodParameter.format(values[$0]!))" }.joined(separator: ",")
    }
}
