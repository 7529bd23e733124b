import Foundation
import Testing

@testable import Site

/// The preview server's request reader: capped, linear, and strict about what it accepts.
@Suite struct HTTPRequestParserTests {
    func outcome(_ text: String) -> HTTPRequestParser.Outcome {
        var parser = HTTPRequestParser()
        return parser.append(Array(text.utf8))
    }

    @Test("a request head parses, in one piece or byte by byte, with CRLF or LF line ends")
    func parses() throws {
        let text = "GET /filters/?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\nConnection: close\r\n\r\n"
        guard case .complete(let head, let consumed) = outcome(text) else {
            Issue.record("not parsed")
            return
        }
        #expect(head.method == "GET" && head.target == "/filters/?x=1" && head.version == "HTTP/1.1")
        #expect(head.headers["host"] == "127.0.0.1:8000" && !head.keepAlive && consumed == text.utf8.count)
        var parser = HTTPRequestParser()
        var last = HTTPRequestParser.Outcome.incomplete
        for byte in text.utf8 { last = parser.append([byte]) }
        #expect(last == .complete(head, consumed: text.utf8.count))
        guard case .complete(let lf, _) = outcome("HEAD / HTTP/1.0\nConnection: keep-alive\n\n") else {
            Issue.record("LF-only head not parsed")
            return
        }
        #expect(lf.method == "HEAD" && lf.keepAlive)
    }

    @Test("two pipelined requests are read one after the other")
    func pipelined() {
        var parser = HTTPRequestParser()
        let first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n", second = "GET /b HTTP/1.1\r\nHost: h\r\n\r\n"
        guard case .complete(let a, let consumed) = parser.append(Array((first + second).utf8)) else {
            Issue.record("first not parsed")
            return
        }
        #expect(a.target == "/a")
        guard case .complete(let b, _) = parser.consume(consumed) else {
            Issue.record("second not parsed")
            return
        }
        #expect(b.target == "/b")
    }

    @Test("a 1 MB request line is refused with 414 once it passes 8 KiB; long heads with 431; in linear time")
    func caps() {
        var parser = HTTPRequestParser()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        var result = parser.append(Array("GET /".utf8))
        let start = Date()
        var sent = 0
        while result == .incomplete, sent < 1 << 20 {
            result = parser.append(chunk)
            sent += chunk.count
        }
        #expect(result == .failed(status: 414))
        #expect(sent <= 9 * 1024, "read \(sent) bytes before refusing")
        // 100 KB of headers, 1 KB at a time (quadratic before: 4.5 s).
        var headers = HTTPRequestParser()
        result = headers.append(Array("GET / HTTP/1.1\r\n".utf8))
        let line = Array(("X-Filler: " + String(repeating: "b", count: 1000) + "\r\n").utf8)
        for _ in 0..<100 where result == .incomplete { result = headers.append(line) }
        #expect(result == .failed(status: 431))
        #expect(Date().timeIntervalSince(start) < 0.5)
        let many = "GET / HTTP/1.1\r\n" + String(repeating: "A: b\r\n", count: 101) + "\r\n"
        #expect(outcome(many) == .failed(status: 431))
    }

    @Test("malformed heads, bodies and other protocols are refused")
    func refusals() {
        #expect(outcome("GARBAGE\r\n\r\n") == .failed(status: 400))
        #expect(outcome("GET /a b HTTP/1.1\r\n\r\n") == .failed(status: 400))
        #expect(outcome("GET / HTTP/2.0\r\n\r\n") == .failed(status: 505))
        #expect(outcome("GET / SPDY/3\r\n\r\n") == .failed(status: 400))
        #expect(outcome("GET / HTTP/1.1\r\nBad Header: x\r\n\r\n") == .failed(status: 400))
        #expect(outcome("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n") == .failed(status: 413))
        #expect(outcome("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n") == .failed(status: 413))
        #expect(outcome("GET /\u{7F} HTTP/1.1\r\n\r\n") == .failed(status: 400))
    }
}
