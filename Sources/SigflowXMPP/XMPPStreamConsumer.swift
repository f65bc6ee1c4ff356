import SigflowCore
import SigflowFraming

/// Frames both directions of an XMPP-over-TCP connection and hands each element to the decoder.
/// When the stream turns to TLS (STARTTLS), the rest goes through TLS decryption into a fresh
/// stream when key logs are given, and is left alone otherwise.
final class XMPPStreamConsumer: StreamConsumer {
    private let decoder: XMPPDecoder
    private let connection: XMPPConnection
    private var framers: [XMPPStreamFramer]
    /// After STARTTLS: the decryption of the rest of the connection.
    private var decryption: (any StreamConsumer)?

    init(decoder: XMPPDecoder, connection: XMPPConnection, synchronised: Bool) {
        self.decoder = decoder
        self.connection = connection
        let framer = XMPPStreamFramer(synchronised: synchronised, limits: decoder.limits)
        self.framers = [framer, framer]
        if !synchronised { connection.hadGap = true }
    }

    func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        if let decryption {
            decryption.receive(bytes, direction: direction, stamp: stamp)
            return
        }
        guard !connection.encrypted else { return }
        let xmppSide = connection.side(of: direction)
        framers[xmppSide.rawValue].append(bytes)
        while let event = framers[xmppSide.rawValue].next() {
            decoder.handle(event, on: connection, side: xmppSide, stamp: stamp)
            if connection.proceededToTLS {
                turnToTLS(stamp: stamp)
                return
            }
            if connection.encrypted {
                framers[0].stop()
                framers[1].stop()
                return
            }
        }
    }

    /// `<proceed/>`: both directions' bytes after it are TLS records.
    private func turnToTLS(stamp: PacketStamp) {
        let rests = [framers[0].stopTakingRest(), framers[1].stopTakingRest()]
        guard let decryption = decoder.decryption(after: connection, stamp: stamp) else { return }
        self.decryption = decryption
        for (side, rest) in zip([XMPPSide.initiator, .receiver], rests) where !rest.isEmpty {
            let direction: StreamDirection = (side == .initiator) != connection.swapped ? .fromClient : .fromServer
            rest.withUnsafeBytes { decryption.receive($0, direction: direction, stamp: stamp) }
        }
    }

    func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        if let decryption {
            decryption.gap(byteCount, direction: direction, stamp: stamp)
            return
        }
        let side = connection.side(of: direction)
        framers[side.rawValue].gap()
        decoder.gap(on: connection)
    }

    var bufferedBytes: Int {
        decryption?.bufferedBytes ?? framers[0].bufferedBytes + framers[1].bufferedBytes
    }

    func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {
        if let decryption {
            decryption.end(reason, direction: direction, stamp: stamp)
            return
        }
        let side = connection.side(of: direction)
        if let event = framers[side.rawValue].finish() {
            decoder.handle(event, on: connection, side: side, stamp: stamp)
        }
    }
}
