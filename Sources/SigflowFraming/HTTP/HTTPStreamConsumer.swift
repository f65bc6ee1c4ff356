import SigflowCore

/// Follows one HTTP/1.1 connection: pairs requests with responses in order (keep-alive and
/// pipelining), decodes chunked and compressed bodies, and after an `Upgrade: websocket` handshake
/// switches both directions to WebSocket frames.
public final class HTTPStreamConsumer: StreamConsumer {
    private let stream: StreamInfo
    private let handler: any HTTPStreamHandler
    private let limits: HTTPLimits
    private var requests: HTTPMessageFramer
    private var responses: HTTPMessageFramer
    /// Requests waiting for their responses, oldest first.
    private var pending: [HTTPRequest] = []
    /// More requests than this waiting means the responses are not in the capture (one side of the
    /// connection missing): the oldest is handed on unanswered instead of held for ever. Clients
    /// pipeline a handful at most.
    static let maxPendingRequests = 64
    private var webSocket: (client: WebSocketFramer, server: WebSocketFramer, subprotocol: String?)?
    /// An upgrade request was sent: the client's next bytes wait for the server's verdict.
    private var upgradeRequested = false
    private var heldClientBytes: [UInt8] = []
    /// Client bytes were lost while held for the upgrade: its WebSocket frames cannot be followed.
    private var heldClientGap = false

    public init(
        stream: StreamInfo, handler: any HTTPStreamHandler, limits: HTTPLimits = HTTPLimits(), synchronised: Bool
    ) {
        self.stream = stream
        self.handler = handler
        self.limits = limits
        self.requests = HTTPMessageFramer(isResponse: false, limits: limits, synchronised: synchronised)
        self.responses = HTTPMessageFramer(isResponse: true, limits: limits, synchronised: synchronised)
    }

    public func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        if webSocket != nil {
            feedWebSocket(bytes, direction: direction, stamp: stamp)
            return
        }
        if direction == .fromClient {
            if upgradeRequested {
                heldClientBytes.append(contentsOf: bytes)
                return
            }
            requests.append(bytes)
            drainRequests(stamp: stamp)
        } else {
            responses.append(bytes)
            drainResponses(stamp: stamp)
        }
    }

    public var bufferedBytes: Int {
        var total = requests.bufferedBytes + responses.bufferedBytes + heldClientBytes.count
        if let webSocket { total += webSocket.client.bufferedBytes + webSocket.server.bufferedBytes }
        for request in pending { total += request.body.count }
        return total
    }

    public func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        if direction == .fromClient && upgradeRequested {
            heldClientBytes = []
            heldClientGap = true
        }
        if var socket = webSocket {
            if direction == .fromClient { socket.client.gap() } else { socket.server.gap() }
            webSocket = socket
            return
        }
        // Request/response pairing cannot be trusted across lost bytes.
        pending.removeAll()
        if direction == .fromClient { requests.gap() } else { responses.gap() }
    }

    public func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {
        guard webSocket == nil else { return }
        if direction == .fromServer {
            if case .message(let head, let body, let truncated)? = responses.finish() {
                deliverResponse(head, body: body, truncated: truncated, stamp: stamp)
            }
            for request in pending { handler.exchange(HTTPExchange(stream: stream, request: request, response: nil)) }
            pending.removeAll()
        }
    }

    private func drainRequests(stamp: PacketStamp) {
        while let event = requests.next(framing: Self.requestFraming) {
            switch event {
            case .message(let head, let body, _):
                guard head.parts.count == 3 else { continue }
                let request = HTTPRequest(
                    method: head.parts[0], target: head.parts[1], headers: head.headers,
                    body: decoded(body, headers: head.headers, what: head.line, stamp: stamp), stamp: stamp)
                pending.append(request)
                if pending.count > Self.maxPendingRequests {
                    handler.exchange(HTTPExchange(stream: stream, request: pending.removeFirst(), response: nil))
                }
                if request.headers.tokens("upgrade").contains("websocket") {
                    upgradeRequested = true
                    heldClientBytes = requests.takeRemaining()
                    return
                }
            case .skipped(let count, let reason):
                report(count, reason, direction: .fromClient, stamp: stamp)
            }
        }
    }

    private func drainResponses(stamp: PacketStamp) {
        while let event = responses.next(framing: responseFraming) {
            switch event {
            case .message(let head, let body, let truncated):
                deliverResponse(head, body: body, truncated: truncated, stamp: stamp)
                if webSocket != nil { return }
            case .skipped(let count, let reason):
                report(count, reason, direction: .fromServer, stamp: stamp)
                if !pending.isEmpty && count == 0 { pending.removeFirst() }
            }
        }
    }

    private func deliverResponse(_ head: HTTPMessageFramer.Head, body: [UInt8], truncated: Bool, stamp: PacketStamp) {
        guard head.parts.count >= 2, let status = Int(head.parts[1]) else { return }
        let response = HTTPResponse(
            status: status, reason: head.parts.count > 2 ? head.parts[2] : "", headers: head.headers,
            body: decoded(body, headers: head.headers, what: head.line, stamp: stamp), stamp: stamp)
        // Interim responses (100 Continue, 103) do not answer the request.
        if (100..<200).contains(status) && status != 101 { return }
        let request = pending.isEmpty ? nil : pending.removeFirst()
        handler.exchange(HTTPExchange(stream: stream, request: request, response: response))
        if status == 101, upgradeRequested || request?.headers.tokens("upgrade").contains("websocket") == true {
            startWebSocket(subprotocol: response.headers["sec-websocket-protocol"]?.trimmingWhitespace, stamp: stamp)
        } else if upgradeRequested {
            // The server refused the upgrade: the held bytes are ordinary HTTP after all.
            upgradeRequested = false
            let held = heldClientBytes
            heldClientBytes = []
            if heldClientGap {
                heldClientGap = false
                requests.gap()
            }
            held.withUnsafeBytes { requests.append($0) }
            drainRequests(stamp: stamp)
        }
    }

    private func startWebSocket(subprotocol: String?, stamp: PacketStamp) {
        var socket = (
            client: WebSocketFramer(limit: limits.maxWebSocketMessageBytes),
            server: WebSocketFramer(limit: limits.maxWebSocketMessageBytes), subprotocol: subprotocol
        )
        socket.client.append(heldClientBytes)
        if heldClientGap { socket.client.gap() }
        socket.server.append(responses.takeRemaining())
        heldClientBytes = []
        heldClientGap = false
        upgradeRequested = false
        webSocket = socket
        drainWebSocket(direction: .fromClient, stamp: stamp)
        drainWebSocket(direction: .fromServer, stamp: stamp)
    }

    private func feedWebSocket(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        if direction == .fromClient { webSocket!.client.append(bytes) } else { webSocket!.server.append(bytes) }
        drainWebSocket(direction: direction, stamp: stamp)
    }

    private func drainWebSocket(direction: StreamDirection, stamp: PacketStamp) {
        while true {
            let event = direction == .fromClient ? webSocket!.client.next() : webSocket!.server.next()
            guard let event else { return }
            switch event {
            case .message(let kind, let payload):
                handler.webSocketMessage(
                    WebSocketMessage(kind: kind, payload: payload, direction: direction, stamp: stamp), stream: stream,
                    subprotocol: webSocket!.subprotocol)
            case .closed:
                continue
            case .skipped(let count, let reason):
                report(count, reason, direction: direction, stamp: stamp)
            }
        }
    }

    static func requestFraming(_ head: HTTPMessageFramer.Head) -> HTTPMessageFramer.BodyFraming {
        if head.headers.tokens("transfer-encoding").last == "chunked" { return .chunked }
        if let length = head.headers["content-length"].flatMap({ Int($0) }), length >= 0 { return .length(length) }
        return .none
    }

    private func responseFraming(_ head: HTTPMessageFramer.Head) -> HTTPMessageFramer.BodyFraming {
        let status = head.parts.count >= 2 ? Int(head.parts[1]) ?? 0 : 0
        if (100..<200).contains(status) || status == 204 || status == 304 || pending.first?.method == "HEAD" {
            return .none
        }
        if head.headers.tokens("transfer-encoding").last == "chunked" { return .chunked }
        if let length = head.headers["content-length"].flatMap({ Int($0) }), length >= 0 { return .length(length) }
        return .untilClose
    }

    private func decoded(_ body: [UInt8], headers: HTTPHeaders, what: String, stamp: PacketStamp) -> [UInt8] {
        guard let encoding = headers.tokens("content-encoding").last, !body.isEmpty,
            ["gzip", "x-gzip", "deflate"].contains(encoding)
        else { return body }
        switch Inflater.inflate(body, encoding: encoding, limit: limits.maxInflatedBytes) {
        case .success(let inflated):
            return inflated
        case .failure(let failure):
            handler.report(
                Diagnostic(
                    .warning, "http_body_undecodable",
                    "\(stream.client) <-> \(stream.server): \(what.prefix(60)): \(encoding) body "
                        + (failure == .tooLarge ? "inflates beyond \(limits.maxInflatedBytes) bytes" : "is corrupt"),
                    source: stamp.source))
            return []
        }
    }

    private func report(_ count: Int, _ reason: String, direction: StreamDirection, stamp: PacketStamp) {
        handler.report(
            Diagnostic(
                .warning, "http_skipped",
                "\(stream.source(of: direction)) -> \(stream.destination(of: direction)): "
                    + (count > 0 ? "\(count) bytes skipped (\(reason))" : reason),
                source: stamp.source))
    }
}
