import Common
import Foundation

/// Text files people write, read the way editors save them: UTF-8 with or without a
/// byte-order mark, LF or CRLF line endings.
public enum SourceText {
    /// The file's text with a leading BOM removed and CRLF / CR turned into LF.
    /// A file that is not UTF-8 is an error naming the line of the first bad byte. The file
    /// must be a regular file (a pipe would block) inside `folder` (the content or the
    /// theme): a symbolic link out is an error, so no file of the machine is published.
    public static func read(path: String, displayPath: String, inside folder: String) throws(SourceError) -> String {
        let data = try ConfinedFile.contents(path, inside: folder, limit: 64 << 20, displayPath: displayPath)
        return try decode(data, displayPath: displayPath)
    }

    public static func decode(_ data: Data, displayPath: String) throws(SourceError) -> String {
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            let (line, column) = firstInvalidUTF8(bytes)
            throw SourceError(
                "the file is not UTF-8 text (invalid byte sequence); save it as UTF-8",
                at: SourceLocation(file: displayPath, line: line, column: column))
        }
        if text.contains("\0") {
            let line = text.prefix { $0 != "\0" }.filter { $0 == "\n" }.count + 1
            throw SourceError(
                "the file contains a NUL character; it is not a text file",
                at: SourceLocation(file: displayPath, line: line, column: 1))
        }
        guard text.contains("\r") else { return text }
        return text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// Line and column (1-based, in bytes) of the first byte that breaks UTF-8.
    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> (Int, Int) {
        var line = 1, lineStart = 0, i = 0
        while i < bytes.count {
            let b = bytes[i]
            let length = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            let valid =
                length > 0 && i + length <= bytes.count
                && bytes[(i + 1)..<(i + length)].allSatisfy { $0 >> 6 == 0b10 }
                && String(validating: bytes[i..<(i + length)], as: UTF8.self) != nil
            if !valid { return (line, i - lineStart + 1) }
            if b == 0x0A { line += 1; lineStart = i + 1 }
            i += length
        }
        return (line, 1)
    }
}

/// A lesson's front matter and body, split at the `---` fences.
struct FrontMatterSplit {
    /// The YAML between the fences, or nil when the file has none.
    let yaml: String?
    /// The Markdown after the closing fence.
    let body: String
    /// Lines before the body: add to a line of `body` to get the file's line.
    let bodyLineOffset: Int

    init(_ text: String) {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first.map({ $0.trimmingCharacters(in: .whitespaces) == "---" }) == true,
            let close = lines.dropFirst().firstIndex(where: {
                ["---", "..."].contains($0.trimmingCharacters(in: .whitespaces))
            })
        else {
            yaml = nil
            body = text
            bodyLineOffset = 0
            return
        }
        yaml = lines[1..<close].joined(separator: "\n")
        lines.removeFirst(close + 1)
        body = lines.joined(separator: "\n")
        bodyLineOffset = close + 1
    }
}
