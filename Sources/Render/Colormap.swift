import Common

/// A 256-entry colormap identical to matplotlib's of the same name.
public struct Colormap: Sendable, Equatable {
    public let name: String
    /// 256 RGB triples.
    public let table: [RGBA]

    /// The sequential maps, for non-negative values.
    public static let sequentialNames = ["viridis", "magma", "inferno", "plasma", "cividis", "turbo", "jet", "gray"]
    /// The diverging maps, for signed values centred on zero.
    public static let divergingNames = ["RdBu_r", "coolwarm", "bwr"]
    public static var names: [String] { sequentialNames + divergingNames }

    /// The colormap called `name`, or nil.
    public static func named(_ name: String) -> Colormap? {
        guard let hex = tables[name] else { return nil }
        let bytes = Array(hex.utf8)
        func nibble(_ c: UInt8) -> UInt8 { c <= 57 ? c - 48 : c - 87 }
        let table = (0..<256).map { i -> RGBA in
            let o = i * 6
            return RGBA(
                nibble(bytes[o]) << 4 | nibble(bytes[o + 1]), nibble(bytes[o + 2]) << 4 | nibble(bytes[o + 3]),
                nibble(bytes[o + 4]) << 4 | nibble(bytes[o + 5]))
        }
        return Colormap(name: name, table: table)
    }

    public var isDiverging: Bool { Colormap.divergingNames.contains(name) }

    /// The color of `value` in [0, 1], chosen as matplotlib does: entry ⌊value · 256⌋,
    /// clamped to the table. NaN maps to the lowest entry.
    public func color(_ value: Float) -> RGBA {
        guard value.isFinite else { return table[0] }
        return table[Swift.min(Swift.max(Int(value * 256), 0), 255)]
    }
}

/// A colormap's name determines its table: cache keys name it instead of listing 256 colors.
extension Colormap: CanonicallyNamed {
    public var canonicalName: String { name }
}
