import SigflowCore
import SigflowFraming

/// Hands each element the framer cuts from an XMPP-over-TCP connection to the decoder, as written
/// by the XMPP side the TCP direction belongs to; stops for good once the stream turns to TLS.
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
}

extension XMPPStreamFramer: StreamMessageFramer {}
