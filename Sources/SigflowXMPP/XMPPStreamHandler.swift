import SigflowCore
import SigflowFraming

/// Hands each element the framer cuts from an XMPP-over-TCP connection to the decoder, as written
/// by the XMPP side the TCP direction belongs to. When the stream turns to TLS (STARTTLS), the rest
/// goes through TLS decryption into a fresh stream when key logs are given, and is left alone
/// otherwise.
final class XMPPStreamHandler: FramedStreamHandler {
    private let decoder: XMPPDecoder
    private let connection: XMPPConnection

    init(decoder: XMPPDecoder, connection: XMPPConnection) {
        self.decoder = decoder
        self.connection = connection
    }

    func handle(_ event: XMPPStreamFramer.Event, direction: StreamDirection, stamp: PacketStamp) {
        decoder.handle(event, on: connection, side: connection.side(of: direction), stamp: stamp)
    }

    func gap(direction: StreamDirection, stamp: PacketStamp) { decoder.gap(on: connection) }

    var isStopped: Bool { connection.encrypted }

    /// `<proceed/>`: both directions' bytes after it are TLS records.
    func successor(stamp: PacketStamp) -> (any StreamConsumer)? {
        guard connection.proceededToTLS, !connection.encrypted else { return nil }
        return decoder.decryption(after: connection, stamp: stamp)
    }
}

extension XMPPStreamFramer: StreamMessageFramer {
    public mutating func takeRest() -> [UInt8] { stopTakingRest() }
}
