import SigflowCore
import SigflowFraming

/// One client's HTTP/1.1 connection to a server, written exchange by exchange and followed by the
/// real HTTP consumer on behalf of `handler` (a decoder of an HTTP protocol).
public final class HTTPConnection {
    private let consumer: HTTPStreamConsumer

    public init(client: Endpoint, server: Endpoint, handler: any HTTPStreamHandler) {
        consumer = HTTPStreamConsumer(
            stream: StreamInfo(client: client, server: server), handler: handler, synchronised: true)
    }

    /// A request and its response, each arriving in one packet.
    public func exchange(
        _ request: String, at requestStamp: PacketStamp, _ response: String, at responseStamp: PacketStamp
    ) {
        Array(request.utf8).withUnsafeBytes { consumer.receive($0, direction: .fromClient, stamp: requestStamp) }
        Array(response.utf8).withUnsafeBytes { consumer.receive($0, direction: .fromServer, stamp: responseStamp) }
    }

    /// `METHOD target` with `headers`, and a body with its Content-Length.
    public static func request(
        _ method: String, _ target: String, headers: [String] = [], body: String = ""
    )
        -> String
    {
        let length = method == "GET" ? [] : ["Content-Length: \(body.utf8.count)"]
        return ([method + " " + target + " HTTP/1.1", "Host: example.org"] + headers + length).joined(separator: "\r\n")
            + "\r\n\r\n" + body
    }

    /// `200 OK` with a JSON body.
    public static func response(_ body: String, status: String = "200 OK") -> String {
        "HTTP/1.1 \(status)\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n\r\n" + body
    }
}

/// Keeps what a decoder delivers.
public final class MessageCollector: SignalingSink {
    public private(set) var messages: [SignalingMessage] = []
    public private(set) var diagnostics: [Diagnostic] = []

    public init() {}

    public func deliver(_ message: SignalingMessage) { messages.append(message) }
    public func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }
}
