import Common
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// `vizsite serve`, run as a user runs it, spoken to over raw TCP so that request paths
/// arrive exactly as written (clients would normalize `..`).
@Suite(.serialized) struct PreviewServerTests {
    /// One HTTP/1.1 request on a fresh connection; the status code, or nil on any failure.
    /// A socket connected to the server on loopback, with 5 s timeouts; nil on failure.
    static func connected(_ port: UInt16) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard status == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    static func request(_ port: UInt16, _ target: String, method: String = "GET") -> (status: Int, body: String)? {
        guard let fd = connected(port) else { return nil }
        defer { close(fd) }
        let text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        guard text.withCString({ send(fd, $0, strlen($0), 0) }) > 0 else { return nil }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        let string = String(decoding: response, as: UTF8.self)
        guard string.hasPrefix("HTTP/1.1 "), let code = Int(string.dropFirst(9).prefix(3)) else { return nil }
        return (code, string)
    }

    /// Sends `text` as it is and reads the answer (until the server closes or 5 s pass).
    static func raw(_ port: UInt16, _ text: [UInt8]) -> String? {
        guard let fd = connected(port) else { return nil }
        defer { close(fd) }
        // The server may answer (and close) before it has read everything: stop sending then.
        var offset = 0
        while offset < text.count {
            let n = text[offset...].withUnsafeBytes {
                send(fd, $0.baseAddress, min($0.count, 65536), Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { break }
            offset += n
        }
        var response = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { break }
            response += buffer[0..<n]
        }
        return String(decoding: response, as: UTF8.self)
    }

    static func residentKilobytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    }

    @Test("serves the site, refuses every way out of it, and survives 10,000 requests 50 at a time")
    func serve() throws {
        let site = FixtureSite(
            lessons: ["01-one.md": "---\ntitle: One\n---\n\n```viz samples\nimages: test[0:2]\n```\n"], trainCount: 64,
            testCount: 16)
        site.directory.write("secret.txt", "secret")
        let port = UInt16(20000 + Int(getpid() % 20000))
        let log = site.directory.file("serve.log")
        let process = try ChildProcess(
            vizsiteExecutable, ["serve", "--port", String(port)], in: site.root, errors: .file(log))
        defer {
            process.send(SIGTERM)
            _ = process.wait()
        }
        var ready = false
        for _ in 0..<200 where !ready {
            Thread.sleep(forTimeInterval: 0.05)
            ready = Self.request(port, "/")?.status == 200
        }
        try #require(ready, "the server did not come up: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let preview = site.directory.file(".vizsite/preview")
        try FileManager.default.createSymbolicLink(
            atPath: preview + "/out.txt", withDestinationPath: site.directory.file("secret.txt"))

        #expect(Self.request(port, "/one/")?.status == 200)
        #expect(Self.request(port, "/one")?.status == 301)
        #expect(Self.request(port, "/one/", method: "HEAD")?.status == 200)
        #expect(Self.request(port, "/__vizsite/status")?.body.contains("\"version\"") == true)
        // Preview pages load the theme's reload script, which only the preview server serves.
        #expect(Self.request(port, "/one/")?.body.contains("<script src=\"/__vizsite/reload.js\"></script>") == true)
        let reload = Self.request(port, "/__vizsite/reload.js")
        #expect(reload?.status == 200 && reload?.body.contains("/__vizsite/status") == true)
        for hostile in [
            "/../secret.txt", "/../../../../etc/passwd", "/%2e%2e/secret.txt", "/%2E%2E/%2E%2E/etc/passwd",
            "/one/..%2f..%2fsecret.txt",
            "/%2fetc%2fpasswd", "//etc/passwd", "/out.txt", "/..%5csecret.txt", "/.hidden", "/one/%00", "/missing.html",
        ] {
            let response = Self.request(port, hostile)
            #expect(response?.status == 404, "\(hostile) → \(response?.status ?? -1)")
            #expect(
                response?.body.contains("secret") == false && response?.body.contains("root:") == false, "\(hostile)")
        }
        #expect(Self.request(port, "/one/", method: "POST")?.status == 405)

        // A 1 MB request line is answered 414 at once, and the server goes on serving.
        let start = Date()
        let long = Self.raw(port, Array(("GET /" + String(repeating: "a", count: 1 << 20) + " HTTP/1.1\r\n\r\n").utf8))
        #expect(long?.hasPrefix("HTTP/1.1 414 ") == true, "\(long?.prefix(80) ?? "no answer")")
        #expect(Self.request(port, "/one/")?.status == 200)
        #expect(Date().timeIntervalSince(start) < 2)
        let headers =
            "GET / HTTP/1.1\r\n" + String(repeating: "X-A: " + String(repeating: "b", count: 1000) + "\r\n", count: 100)
        #expect(Self.raw(port, Array((headers + "\r\n").utf8))?.hasPrefix("HTTP/1.1 431 ") == true)
        // A folder asked for as //one redirects to /one/, not to another host (//one/).
        let redirect = Self.raw(port, Array("GET //one HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
        #expect(redirect?.contains("\r\nLocation: /one/\r\n") == true, "\(redirect ?? "")")
        // Build status is for this server's pages only (DNS rebinding).
        let rebound = Self.raw(
            port,
            Array("GET /__vizsite/status HTTP/1.1\r\nHost: evil.example:\(port)\r\nConnection: close\r\n\r\n".utf8))
        #expect(rebound?.hasPrefix("HTTP/1.1 403 ") == true)

        // Load: warm up, measure memory, 10,000 requests from 50 clients, measure again.
        let paths =
            ["/", "/one/", "/reference/", "/missing", "/../x"]
            + FixtureSite.tree(preview).keys.filter { $0.hasPrefix("assets/") }.map { "/" + $0 }
        for i in 0..<500 { _ = Self.request(port, paths[i % paths.count]) }
        let before = Self.residentKilobytes(process.pid)
        let failures = Counter()
        // Fifty threads of their own (concurrentPerform would run only one per core).
        let group = DispatchGroup()
        for client in 0..<50 {
            group.enter()
            Thread.detachNewThread {
                for i in 0..<200 {
                    let path = paths[(client + i) % paths.count]
                    if let response = Self.request(port, path), [200, 404].contains(response.status) { continue }
                    failures.increment()
                }
                group.leave()
            }
        }
        group.wait()
        let after = Self.residentKilobytes(process.pid)
        #expect(failures.value == 0)
        #expect(isAddressSanitized || after - before < 32_000, "resident memory grew from \(before) kB to \(after) kB")
    }
}

/// A port another server holds is an error at once: no build, no "serving" line, and the
/// way out named — not a build, a printed address and then a failure, while a browser
/// reaches the other server.
@Test func serveOnABusyPort() throws {
    let holder = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #expect(holder >= 0)
    defer { close(holder) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0  // any free port; read back below
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            Glibc.bind(holder, pointer, length) == 0 && listen(holder, 4) == 0
                && getsockname(holder, pointer, &length) == 0
        }
    }
    #expect(bound)
    let port = UInt16(bigEndian: address.sin_port)
    let site = FixtureSite(lessons: ["01-one.md": "---\ntitle: One\n---\n\nText.\n"], trainCount: 64, testCount: 16)
    let result = try runVizsite(["serve", "--port", String(port)], in: site.root)
    #expect(result.status != 0)
    #expect(
        result.stderr.contains("cannot listen on 127.0.0.1:\(port): the port is in use")
            && result.stderr.contains("choose another with --port \(port + 1)"), "\(result.stderr)")
    #expect(!result.stdout.contains("serving") && !result.stderr.contains("serving"))
    #expect(!FileManager.default.fileExists(atPath: site.directory.file(".vizsite/preview")), "nothing was built")
}

/// `serve --output` is refused rather than silently ignored: the preview always goes to
/// .vizsite/preview/, since its pages carry a reload script.
@Test func serveRefusesOutput() throws {
    let result = try runVizsite(["serve", "--output", "Elsewhere"])
    #expect(result.status != 0)
    #expect(result.stderr.contains("--output is for `vizsite build`"), "\(result.stderr)")
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func increment() { lock.lock(); count += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}
