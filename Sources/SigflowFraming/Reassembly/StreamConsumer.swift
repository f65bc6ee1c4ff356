import SigflowCore

/// Which way bytes travel in a TCP connection. The client is the side that sent the SYN, or, for a
/// connection picked up mid-way, the sender of the first packet seen.
public enum StreamDirection: Hashable, Sendable {
    case fromClient
    case fromServer

    public var reversed: StreamDirection { self == .fromClient ? .fromServer : .fromClient }
}

public enum StreamEndReason: String, Hashable, Sendable {
    case fin
    case reset
    case idleTimeout = "idle-timeout"
    case captureEnded = "capture-ended"
}

/// How a connection's bytes reach the decoders: as they crossed the wire, or decrypted from TLS.
public enum StreamSecurity: Hashable, Sendable {
    case plain
    case tls
}

/// A TCP connection as the layers above see it.
public struct StreamInfo: Hashable, Sendable {
    public var key: FlowKey
    public var client: Endpoint
    public var server: Endpoint
    public var security: StreamSecurity

    public init(client: Endpoint, server: Endpoint, security: StreamSecurity = .plain) {
        self.key = FlowKey.of(.tcp, from: client, to: server).key
        self.client = client
        self.server = server
        self.security = security
    }

    /// What the messages of this connection travel over, as their `transport` says: `tcp` or `tls`.
    public var transportName: MessageTransport { security == .tls ? .tls : .tcp }
    /// The same for WebSocket messages on it (RFC 7118 §5.3's names): `ws` or `wss`.
    public var webSocketTransportName: MessageTransport { security == .tls ? .wss : .ws }
    /// The same for HTTP exchanges on it: `http` or `https`.
    public var httpTransportName: MessageTransport { security == .tls ? .https : .http }

    public func source(of direction: StreamDirection) -> Endpoint { direction == .fromClient ? client : server }
    public func destination(of direction: StreamDirection) -> Endpoint {
        direction == .fromClient ? server : client
    }
}

/// Receives one TCP connection's bytes in order, per direction.
///
/// The contract: `receive` gets contiguous bytes in sequence order, each chunk stamped with the packet
/// that made it deliverable (the packet carrying it, or the one that filled the hole before it);
/// `gap` reports bytes that were never seen (`nil` when the size is unknown) and is never papered
/// over; `end` comes once per direction. `bytes` is borrowed for the duration of the call.
public protocol StreamConsumer: AnyObject {
    func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp)
    func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp)
    func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp)
    /// Bytes held for messages not yet complete, both directions together. The flow table bounds
    /// their sum over every connection (`ReassemblyLimits.maxStreamBufferedBytes`) by telling the
    /// largest holders a gap, which must let go of them.
    var bufferedBytes: Int { get }
}

/// Decrypts a connection that turns to TLS part-way (XMPP's STARTTLS): the consumer it returns takes
/// the connection's bytes from the first TLS record on and hands their plaintext to `inner` as a
/// fresh stream. nil when there is nothing to decrypt with (no key log): the connection then stays
/// encrypted, as it always was.
public protocol StreamDecryptor: AnyObject {
    func decrypting(_ stream: StreamInfo, into inner: any StreamConsumer) -> (any StreamConsumer)?
}

public enum StreamClassification {
    /// Deliver this connection's bytes to the consumer from now on.
    case consume(any StreamConsumer)
    /// Not interesting: track sequence numbers for statistics only, keep no bytes.
    case ignore
    /// Cannot tell yet; ask again with the next in-order bytes.
    case undecided
}

/// Decides, from the first in-order bytes of a TCP connection, who (if anyone) consumes it: the
/// place where content sniffing plugs into the framing layer without the framing layer knowing any
/// protocol.
public protocol StreamClassifier: AnyObject {
    func classify(
        _ stream: StreamInfo, direction: StreamDirection, firstBytes: UnsafeRawBufferPointer
    )
        -> StreamClassification
}
