import SigflowCore
import SigflowFraming

/// Frames both directions of an XMPP-over-TCP connection and hands each element to the decoder;
/// stops for good once the stream turns to TLS.
final class XMPPStreamConsumer: StreamConsumer {
    private let decoder: XMPPDecoder
    private let connection: XMPPConnection
    private var framers: [XMPPStreamFramer]

    init(decoder: XMPPDecoder, connection: XMPPConnection, synchronised: Bool) {
        self.decoder = decoder
        self.connection = connection
        let framer = XMPPStreamFramer(synchronised: synchronised, limits: decoder.limits)
        self.framers = [framer, framer]
        if !synchronised { connection.hadGap = true }
    }

    func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        guard !connection.encrypted else { return }
        let xmppSide = connection.side(of: direction)
        framers[xmppSide.rawValue].append(bytes)
        while let event = framers[xmppSide.rawValue].next() {
            decoder.handle(event, on: connection, side: xmppSide, stamp: stamp)
            if connection.encrypted {
                framers[0].stop()
                framers[1].stop()
                return
            }
        }
    }

    func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        let side = connection.side(of: direction)
        framers[side.rawValue].gap()
        decoder.gap(on: connection)
    }

    var bufferedBytes: Int { framers[0].bufferedBytes + framers[1].bufferedBytes }

    func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {
        let side = connection.side(of: direction)
        if let event = framers[side.rawValue].finish() {
            decoder.handle(event, on: connection, side: side, stamp: stamp)
        }
    }
}
