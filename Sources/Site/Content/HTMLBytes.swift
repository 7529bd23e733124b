/// Byte-level scanning of a page's HTML, for the passes that rewrite prose in one sweep
/// (`{{…}}` values, `[@…]` citations) and leave code as it is written.
enum HTMLBytes {
    private static let codeOpen = Array("<code".utf8), codeClose = Array("</code>".utf8)
    private static let preOpen = Array("<pre".utf8), preClose = Array("</pre>".utf8)

    /// Where the `<code>` or `<pre>` element starting at `index` ends (past its closing tag,
    /// or the end of `bytes`); nil when none starts there.
    static func codeEnd(_ bytes: [UInt8], at index: Int) -> Int? {
        guard bytes[index] == UInt8(ascii: "<") else { return nil }
        let closing =
            starts(bytes, at: index, with: codeOpen)
            ? codeClose : starts(bytes, at: index, with: preOpen) ? preClose : nil
        guard let closing else { return nil }
        return find(closing, in: bytes, from: index).map { $0 + closing.count } ?? bytes.count
    }

    static func starts(_ bytes: [UInt8], at index: Int, with prefix: [UInt8]) -> Bool {
        guard index + prefix.count <= bytes.count else { return false }
        for k in 0..<prefix.count where bytes[index + k] != prefix[k] { return false }
        return true
    }

    /// The first index from `start` where `needle` occurs.
    static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, bytes.count >= needle.count else { return nil }
        var i = start
        while i <= bytes.count - needle.count {
            if bytes[i] == needle[0], starts(bytes, at: i, with: needle) { return i }
            i += 1
        }
        return nil
    }
}
