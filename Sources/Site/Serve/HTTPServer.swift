import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A response: status, header fields and body.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: Data

    public init(status: Int, headers: [(name: String, value: String)] = [], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    static let reasons = [
        200: "OK", 301: "Moved Permanently", 400: "Bad Request", 403: "Forbidden", 404: "Not Found",
        405: "Method Not Allowed", 408: "Request Timeout", 413: "Content Too Large", 414: "URI Too Long",
        431: "Request Header Fields Too Large", 500: "Internal Server Error", 503: "Service Unavailable",
        505: "HTTP Version Not Supported",
    ]

    /// The bytes on the wire; `head` leaves the body out (a HEAD request) but keeps its length.
    func encoded(keepAlive: Bool, head: Bool) -> Data {
        var text = "HTTP/1.1 \(status) \(Self.reasons[status] ?? "Status")\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(body.count)\r\nConnection: \(keepAlive ? "keep-alive" : "close")\r\n\r\n"
        var data = Data(text.utf8)
        if !head { data.append(body) }
        return data
    }
}

/// The preview server's HTTP/1.1 server: one thread, non-blocking sockets and poll(2), so
/// thousands of idle or slow connections cost a little memory each and never a thread.
/// Request heads are capped and parsed in linear time (`HTTPRequestParser`); a client that
/// has not sent a whole head within `headTimeout` seconds, or stays idle between requests
/// for `idleTimeout`, is disconnected. (FlyingFox, used before, read heads with no cap in
/// quadratic time: one 1 MB request line kept both cores busy for minutes.)
public final class HTTPServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequestHead) -> HTTPResponse

    let host: String
    let port: UInt16
    let handler: Handler
    let headTimeout: Double
    let idleTimeout: Double
    let maximumConnections: Int

    public init(
        host: String, port: UInt16, headTimeout: Double = 10, idleTimeout: Double = 30,
        maximumConnections: Int = 4096, handler: @escaping Handler
    ) {
        self.host = host
        self.port = port
        self.headTimeout = headTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
        self.handler = handler
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// One client: what it sent so far, what is left to send it, and since when.
    private final class Connection {
        var parser = HTTPRequestParser()
        var output = Data()
        var written = 0
        var closeAfterWrite = false
        /// When the current head started arriving (nil: between requests).
        var headStarted: Double?
        var lastActivity: Double
        init(now: Double) { lastActivity = now }
        var isWriting: Bool { written < output.count }
    }

    /// Binds the address and serves until the process ends; an error only when the address
    /// cannot be used.
    public func run() throws { serve(try bind()) }

    /// Binds the address and starts listening, so that a caller learns at once whether it
    /// can serve (a port another server holds) before it prints the address or builds.
    public func bind() throws -> Int32 { try listen() }

    /// Serves connections on `listener` (from `bind()`) until the process ends.
    public func serve(_ listener: Int32) {
        defer { close(listener) }
        var connections: [Int32: Connection] = [:]
        while true {
            var descriptors = [pollfd(fd: listener, events: Int16(POLLIN), revents: 0)]
            for (fd, connection) in connections {
                descriptors.append(pollfd(fd: fd, events: Int16(connection.isWriting ? POLLOUT : POLLIN), revents: 0))
            }
            let ready = poll(&descriptors, nfds_t(descriptors.count), 1000)
            let now = Self.now()
            if ready > 0 {
                if descriptors[0].revents & Int16(POLLIN) != 0 { accept(listener, into: &connections, now: now) }
                for descriptor in descriptors.dropFirst() where descriptor.revents != 0 {
                    guard let connection = connections[descriptor.fd] else { continue }
                    if !service(descriptor, connection, now: now) {
                        close(descriptor.fd)
                        connections[descriptor.fd] = nil
                    }
                }
            }
            for (fd, connection) in connections where expired(connection, now: now) {
                close(fd)
                connections[fd] = nil
            }
        }
    }

    private func listen() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let info = found else {
            throw Failure(description: "cannot listen on '\(host)': give an IP address such as 127.0.0.1")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "cannot open a socket: \(String(cString: strerror(errno)))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        guard Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0, Glibc.listen(fd, 512) == 0 else {
            let code = errno, reason = String(cString: strerror(code))
            close(fd)
            if code == EADDRINUSE {
                let other = port == UInt16.max ? port - 1 : port + 1
                throw Failure(
                    description: "cannot listen on \(host):\(port): the port is in use (another server, perhaps "
                        + "another vizsite serve); choose another with --port \(other)")
            }
            throw Failure(description: "cannot listen on \(host):\(port): \(reason)")
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        return fd
    }

    private func accept(_ listener: Int32, into connections: inout [Int32: Connection], now: Double) {
        while true {
            let fd = Glibc.accept(listener, nil, nil)
            guard fd >= 0 else { return }  // EAGAIN: no more waiting
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            guard connections.count < maximumConnections else {
                let busy = HTTPResponse(status: 503).encoded(keepAlive: false, head: false)
                _ = busy.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                close(fd)
                continue
            }
            connections[fd] = Connection(now: now)
        }
    }

    /// Reads or writes what the socket allows; false when the connection is done.
    private func service(_ descriptor: pollfd, _ connection: Connection, now: Double) -> Bool {
        if connection.isWriting {
            guard descriptor.revents & Int16(POLLOUT) != 0 else {
                return descriptor.revents & Int16(POLLERR | POLLHUP) == 0
            }
            let n = connection.output.withUnsafeBytes { bytes in
                send(
                    descriptor.fd, bytes.baseAddress! + connection.written, bytes.count - connection.written,
                    Int32(MSG_NOSIGNAL))
            }
            if n < 0 { return errno == EAGAIN || errno == EINTR }
            connection.written += n
            connection.lastActivity = now
            guard !connection.isWriting else { return true }
            if connection.closeAfterWrite { return false }
            connection.output = Data()
            connection.written = 0
            // A request pipelined behind the one answered.
            return handle(connection.parser.consume(0), connection, now: now)
        }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let n = recv(descriptor.fd, &buffer, buffer.count, 0)
        if n == 0 { return false }
        if n < 0 { return errno == EAGAIN || errno == EINTR }
        connection.lastActivity = now
        if connection.headStarted == nil { connection.headStarted = now }
        return handle(connection.parser.append(buffer[0..<n]), connection, now: now)
    }

    private func handle(_ outcome: HTTPRequestParser.Outcome, _ connection: Connection, now: Double) -> Bool {
        switch outcome {
        case .incomplete:
            if connection.parser.buffer.isEmpty { connection.headStarted = nil }
            return true
        case .failed(let status):
            connection.output = HTTPResponse(status: status).encoded(keepAlive: false, head: false)
            connection.written = 0
            connection.closeAfterWrite = true
            return true
        case .complete(let head, let consumed):
            let response = handler(head)
            connection.output = response.encoded(keepAlive: head.keepAlive, head: head.method == "HEAD")
            connection.written = 0
            connection.closeAfterWrite = !head.keepAlive
            _ = connection.parser.consume(consumed)
            connection.headStarted = connection.parser.buffer.isEmpty ? nil : now
            return true
        }
    }

    /// A head too slow to arrive (slowloris), an idle keep-alive, or a reader that stopped reading.
    private func expired(_ connection: Connection, now: Double) -> Bool {
        if let started = connection.headStarted, !connection.isWriting, now - started > headTimeout { return true }
        return now - connection.lastActivity > idleTimeout
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
