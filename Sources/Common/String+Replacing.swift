import Foundation

extension String {
    /// The text with every occurrence of `target` replaced by `replacement`, compared byte for
    /// byte in UTF-8 (no Unicode folding). Foundation's `replacingOccurrences` converts the
    /// whole text to UTF-16 on Linux, which made replacing a page's few placeholders the
    /// slowest step of a rebuild.
    public func replacingAll(_ target: String, with replacement: String) -> String {
        let needle = Array(target.utf8)
        guard let first = needle.first else { return self }
        return withContiguousUTF8 { bytes in
            var out: [UInt8] = []
            var start = 0, i = 0
            let last = bytes.count - needle.count
            while i <= last {
                if bytes[i] == first, memcmp(bytes.baseAddress! + i, needle, needle.count) == 0 {
                    if out.isEmpty { out.reserveCapacity(bytes.count + replacement.utf8.count * 4) }
                    out.append(contentsOf: bytes[start..<i])
                    out.append(contentsOf: replacement.utf8)
                    i += needle.count
                    start = i
                } else {
                    i += 1
                }
            }
            guard start > 0 else { return self }
            out.append(contentsOf: bytes[start...])
            return String(decoding: out, as: UTF8.self)
        }
    }

    private func withContiguousUTF8<R>(_ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        var copy = self
        return copy.withUTF8(body)
    }
}
