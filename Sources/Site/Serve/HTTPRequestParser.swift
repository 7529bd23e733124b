import Foundation

/// The head of an HTTP/1.1 request (RFC 9112 §2–5), as the preview server needs it.
public struct HTTPRequestHead: Sendable, Equatable {
    public var method: String
    /// The request target as sent, still percent-encoded (`/filters/?x=1`).
    public var target: String
    public var version: String
    /// Header fields by lowercased name (a repeated field keeps its last value).
    public var headers: [String: String]

    /// Whether the connection stays open after the response (HTTP/1.1 unless `close`).
    public var keepAlive: Bool {
        let connection = headers["connection"]?.lowercased() ?? ""
        return version == "HTTP/1.1" ? !connection.contains("close") : connection.contains("keep-alive")
    }
}

/// Reads request heads from bytes as they arrive, in time linear in their length: each
/// byte is looked at once when searching for the end of the head, and a request line or
/// head longer than the caps is refused (414, 431) as soon as it passes them, before the
/// rest arrives. Bodies are not read: a preview server answers GET and HEAD.
public struct HTTPRequestParser: Sendable {
    public static let maximumRequestLine = 8 * 1024
    public static let maximumHead = 16 * 1024
    public static let maximumFields = 100

    public enum Outcome: Sendable, Equatable {
        case incomplete
        /// A whole head, and how many bytes of the buffer it took.
        case complete(HTTPRequestHead, consumed: Int)
        /// The status to answer before closing: 400, 414, 431, 413 or 505.
        case failed(status: Int)
    }

    public private(set) var buffer: [UInt8] = []
    /// Where the search for the end of the head resumes.
    private var scanned = 0
    /// The end of the request line, once seen.
    private var lineEnd: Int?

    public init() {}

    /// Adds `bytes` and says whether a head is now complete.
    public mutating func append(_ bytes: some Collection<UInt8>) -> Outcome {
        buffer.append(contentsOf: bytes)
        return scan()
    }

    /// Drops the first `count` bytes (a head handled) and looks at what follows (a
    /// pipelined request).
    public mutating func consume(_ count: Int) -> Outcome {
        buffer.removeFirst(min(count, buffer.count))
        scanned = 0
        lineEnd = nil
        return buffer.isEmpty ? .incomplete : scan()
    }

    private mutating func scan() -> Outcome {
        var end: Int?
        var i = scanned
        while i < buffer.count {
            if buffer[i] == 10 {  // \n
                if lineEnd == nil { lineEnd = i }
                // \n\n or \n\r\n ends the head.
                if i >= 1, buffer[i - 1] == 10 {
                    end = i + 1
                    break
                }
                if i >= 2, buffer[i - 1] == 13, buffer[i - 2] == 10 {
                    end = i + 1
                    break
                }
            }
            i += 1
        }
        scanned = i
        if (lineEnd ?? buffer.count) > Self.maximumRequestLine { return .failed(status: 414) }
        guard let end else { return buffer.count > Self.maximumHead ? .failed(status: 431) : .incomplete }
        if end > Self.maximumHead { return .failed(status: 431) }
        return parse(end: end)
    }

    private func parse(end: Int) -> Outcome {
        var lines = buffer[0..<end].split(separator: 10, omittingEmptySubsequences: false).map { line in
            line.last == 13 ? line.dropLast() : line
        }
        while lines.last?.isEmpty == true { lines.removeLast() }
        // A client may send empty lines before a request (RFC 9112 §2.2).
        while lines.first?.isEmpty == true { lines.removeFirst() }
        guard let first = lines.first else { return .failed(status: 400) }
        let parts = first.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, let method = Self.token(parts[0]), !parts[1].isEmpty,
            parts[1].allSatisfy({ $0 > 32 && $0 < 127 })
        else { return .failed(status: 400) }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version.hasPrefix("HTTP/1.") else {
            return .failed(status: version.hasPrefix("HTTP/") ? 505 : 400)
        }
        guard lines.count - 1 <= Self.maximumFields else { return .failed(status: 431) }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: 58), let name = Self.token(line[line.startIndex..<colon]) else {
                return .failed(status: 400)
            }
            let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            headers[name.lowercased()] = value
        }
        if let length = headers["content-length"], length != "0" { return .failed(status: 413) }
        if headers["transfer-encoding"] != nil { return .failed(status: 413) }
        let head = HTTPRequestHead(
            method: method, target: String(decoding: parts[1], as: UTF8.self), version: version, headers: headers)
        return .complete(head, consumed: end)
    }

    /// A token (RFC 9110 §5.6.2): a method or a field name.
    private static func token(_ bytes: ArraySlice<UInt8>) -> String? {
        let allowed = Set("!#$%&'*+-.^_`|~".utf8)
        guard !bytes.isEmpty,
            bytes.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 | 32 >= 97 && $0 | 32 <= 122) || allowed.contains($0) })
        else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }
}
