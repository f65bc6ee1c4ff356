import SigflowCore

/// A header block: fields in wire order, names compared case-insensitively.
public struct HTTPHeaders: Sendable, Sequence {
    public private(set) var fields: [(name: String, value: String)]

    public init(_ fields: [(name: String, value: String)] = []) {
        self.fields = fields
    }

    /// The first value of a field.
    public subscript(name: String) -> String? {
        let wanted = name.lowercased()
        return fields.first { $0.name.lowercased() == wanted }?.value
    }

    /// Comma-separated tokens of every occurrence of a field, lower-cased.
    public func tokens(_ name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.flatMap { field in
            field.value.split(separator: ",").map { $0.trimmingWhitespace.lowercased() }
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { fields.makeIterator() }
}

/// An HTTP/1.x request with its decoded body (de-chunked and decompressed).
public struct HTTPRequest: Sendable {
    public var method: String
    public var target: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The packet that completed the request.
    public var stamp: PacketStamp
}

/// An HTTP/1.x response with its decoded body (de-chunked and decompressed).
public struct HTTPResponse: Sendable {
    public var status: Int
    public var reason: String
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// The packet that completed the response.
    public var stamp: PacketStamp
}

/// A request and the response that answered it. Either side may be missing when the capture began
/// or ended mid-exchange, or lost bytes.
public struct HTTPExchange: Sendable {
    public var stream: StreamInfo
    public var request: HTTPRequest?
    public var response: HTTPResponse?
}

/// A complete WebSocket message (continuation frames joined, unmasked).
public struct WebSocketMessage: Sendable {
    public enum Kind: Sendable {
        case text
        case binary
    }

    public var kind: Kind
    public var payload: [UInt8]
    public var direction: StreamDirection
    /// The packet that completed the message.
    public var stamp: PacketStamp
}

/// What the layers above receive from an HTTP connection.
public protocol HTTPStreamHandler: AnyObject {
    func exchange(_ exchange: HTTPExchange)
    /// After an `Upgrade: websocket` handshake, each message with the subprotocol the server chose.
    func webSocketMessage(_ message: WebSocketMessage, stream: StreamInfo, subprotocol: String?)
    /// Something the framer had to skip or could not decode.
    func report(_ diagnostic: Diagnostic)
}

extension StringProtocol {
    var trimmingWhitespace: String {
        guard let start = firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" }),
            let end = lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" })
        else { return "" }
        return String(self[start...end])
    }
}
