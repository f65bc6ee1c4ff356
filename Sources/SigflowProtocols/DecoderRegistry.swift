import SigflowCore
import SigflowFraming
import SigflowMatrix
import SigflowMedia
import SigflowSIP
import SigflowTLS
import SigflowWhatsApp
import SigflowXMPP

/// Decides which decoder sees which traffic, by content first and port second, the way Zeek's
/// dynamic protocol detection does. Adding a protocol means adding its sniff here and nothing
/// downstream.
public final class DecoderRegistry: StreamClassifier {
    let sip: SIPDecoder
    let http: HTTPRouter
    /// WhatsApp's encrypted traffic: the chat connection, relay STUN and call media (timing only).
    let whatsapp: WhatsAppTrafficTracker
    let xmpp: XMPPDecoder
    /// Decoders for evidence logs (client debug logs), tried in order on each input file.
    public let logDecoders: [any EvidenceLogDecoder]
    /// RTP to the endpoints the signaling announced.
    public let media: MediaTracker
    /// SIP that HEP capture agents copied to a collector.
    let hep: HEPRouter
    /// TLS connections, decrypted when key logs are given; their plaintext comes back here to be
    /// classified like a cleartext connection.
    public let tls: TLSDecryption

    /// - Parameter logDate: the date (days since 1970-01-01) of client logs that print only the time
    ///   of day (`--date`).
    public init(sink: any SignalingSink, detailed: Bool, logDate: Int? = nil, keyLogs: [TLSKeyLog] = []) {
        // Every decoder delivers through the media tracker, which learns where media goes.
        let sink = MediaTracker(next: sink)
        self.media = sink
        self.tls = TLSDecryption(keyLogs: keyLogs, report: sink.report)
        self.sip = SIPDecoder(sink: sink, detailed: detailed)
        self.xmpp = XMPPDecoder(sink: sink, startTLS: tls)
        self.http = HTTPRouter(sink: sink, sip: sip, matrix: MatrixDecoder(sink: sink), xmpp: xmpp)
        self.whatsapp = WhatsAppTrafficTracker(sink: sink)
        self.hep = HEPRouter(sip: sip, sink: sink)
        self.logDecoders = [WhatsAppLogDecoder(date: logDate)]
    }

    /// Well-known SIP ports, where a connection picked up mid-message is still worth resynchronising.
    static let sipPorts: Set<UInt16> = [5060, 5080]

    /// Which first bytes of a UDP payload some decoder wants to see: SIP starts with an upper-case
    /// letter (a method or `SIP/2.0`), STUN with its two zero bits (0x00-0x3F). RTP (0x80-0xBF) and
    /// most other traffic fail this one lookup.
    let datagramFirstBytes: [Bool] = (0...255).map { byte in
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(UInt8(byte)) || byte < 0x40
    }

    /// What a UDP datagram starting with `byte` needs.
    public enum DatagramInterest {
        /// No decoder wants it.
        case none
        /// Only the media tracker, which needs its endpoints and length, not the datagram.
        case mediaCount
        /// A decoder wants the datagram itself.
        case decode
    }

    /// What a UDP datagram starting with `byte` needs. Once WhatsApp relay sockets are known, their
    /// media can start with any byte, so every datagram is looked at; once a call announced where
    /// its media goes, RTP-like datagrams are counted. Asked for every datagram: one table lookup
    /// or two flag loads.
    @inline(__always)
    public func interest(inDatagramStartingWith byte: UInt8) -> DatagramInterest {
        let whatsAppMedia = whatsapp.tracksMedia
        if Self.isRTPLike(byte) && !whatsAppMedia { return media.isTracking ? .mediaCount : .none }
        return datagramFirstBytes.withUnsafeBufferPointer { $0[Int(byte)] } || whatsAppMedia ? .decode : .none
    }

    /// RTP version 2 (and RTCP, SRTP, SRTCP, which share its header's first bits): 0x80-0xBF. No SIP
    /// start line or STUN message begins so.
    @inline(__always)
    static func isRTPLike(_ byte: UInt8) -> Bool { byte & 0xC0 == 0x80 }

    /// A UDP datagram: SIP is recognised by its start line on any port; HEP by its header ("HEP3",
    /// or a v1/v2 header: first byte 1 or 2); WhatsApp relay STUN by its magic cookie, and media
    /// only on the sockets that did STUN; RTP by the endpoint it goes to.
    public func decodeDatagram(_ packet: TransportPacket) {
        guard let first = packet.payload.first, interest(inDatagramStartingWith: first) != .none else { return }
        if Self.isRTPLike(first) {
            if media.isTracking { media.datagram(packet) }
            if whatsapp.tracksMedia { whatsapp.datagram(packet) }
        } else if (first == UInt8(ascii: "H") || first == 1 || first == 2)
            && hep.decode(packet.payload, carriedBy: packet.stamp)
        {
            return
        } else if !sip.decodeDatagram(packet) {
            whatsapp.datagram(packet)
        }
    }

    /// The capture is over: decoders that draw a summary deliver it now.
    public func finish() {
        whatsapp.finish()
        hep.finish()
    }

    public func classify(
        _ stream: StreamInfo, direction: StreamDirection, firstBytes: UnsafeRawBufferPointer
    )
        -> StreamClassification
    {
        // WhatsApp's chat protocol starts with a `WA` prologue (on 443 and 5222 alike, so before any
        // port rule); a TLS ClientHello naming a WhatsApp host is kept for its timing.
        if let consumer = whatsapp.classify(stream, direction: direction, firstBytes: firstBytes) {
            return .consume(consumer)
        }
        if stream.security == .plain && Self.looksLikeTLS(firstBytes),
            let consumer = tls.consumer(for: stream, firstBytes: firstBytes, classifier: self)
        {
            return .consume(consumer)
        }
        if SIPSniffer.looksLikeSIP(firstBytes) {
            return .consume(sip.streamConsumer(for: stream, synchronised: true))
        }
        if HEPPacket.hep3Length(firstBytes) != nil {
            return .consume(HEPStreamConsumer(router: hep))
        }
        if HTTPSniffer.looksLikeHTTP(firstBytes) {
            return .consume(HTTPStreamConsumer(stream: stream, handler: http, synchronised: true))
        }
        if XMPPSniffer.looksLikeXMPP(firstBytes) {
            return .consume(xmpp.streamConsumer(for: stream, synchronised: true))
        }
        let ports = [stream.server.port, stream.client.port]
        if ports.contains(where: XMPPSniffer.plaintextPorts.contains)
            || (ports.contains(where: XMPPSniffer.tlsPorts.contains) && Self.looksLikeTLS(firstBytes))
        {
            // XMPP's own ports: a stream picked up mid-way, or one that is (or turns) TLS and is
            // reported as encrypted.
            return .consume(
                xmpp.streamConsumer(
                    for: stream, synchronised: XMPPSniffer.startsAtStanza(firstBytes) || Self.looksLikeTLS(firstBytes)))
        }
        if Self.containsSIPStartLine(firstBytes)
            || Self.sipPorts.contains(stream.server.port) || Self.sipPorts.contains(stream.client.port)
        {
            return .consume(sip.streamConsumer(for: stream, synchronised: false))
        }
        // TLS without key logs (or TLS inside TLS): nothing inside is readable.
        if Self.looksLikeTLS(firstBytes) { return .ignore }
        return .undecided
    }

    /// A TLS record header (handshake, change-cipher-spec, alert or application data, version 3.x).
    static func looksLikeTLS(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count >= 3 && (20...23).contains(bytes[0]) && bytes[1] == 3
    }

    /// A stream picked up mid-message may still hold the start of the next SIP message further on.
    static func containsSIPStartLine(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while let newline = bytes[index...].firstIndex(of: UInt8(ascii: "\n")) {
            index = newline + 1
            guard index < bytes.count else { return false }
            if SIPSniffer.looksLikeSIP(UnsafeRawBufferPointer(rebasing: bytes[index...])) { return true }
        }
        return false
    }
}

/// Hands HTTP exchanges and WebSocket messages to the decoder for what they carry: the Matrix
/// client-server API, SIP over WebSocket (RFC 7118, subprotocol `sip`), XMPP over WebSocket
/// (RFC 7395, subprotocol `xmpp`).
final class HTTPRouter: HTTPStreamHandler {
    private let sink: any SignalingSink
    private let sip: SIPDecoder
    private let matrix: MatrixDecoder
    private let xmpp: XMPPDecoder

    init(sink: any SignalingSink, sip: SIPDecoder, matrix: MatrixDecoder, xmpp: XMPPDecoder) {
        self.sink = sink
        self.sip = sip
        self.matrix = matrix
        self.xmpp = xmpp
    }

    func exchange(_ exchange: HTTPExchange) {
        if exchange.request?.target.hasPrefix("/_matrix/") == true { matrix.exchange(exchange) }
    }

    func webSocketMessage(_ message: WebSocketMessage, stream: StreamInfo, subprotocol: String?) {
        if subprotocol?.lowercased() == "xmpp" {
            message.payload.withUnsafeBytes {
                xmpp.decodeWebSocketMessage($0, stream: stream, direction: message.direction, stamp: message.stamp)
            }
            return
        }
        let carriesSIP =
            subprotocol?.lowercased() == "sip"
            || message.payload.withUnsafeBytes { SIPSniffer.looksLikeSIP($0) }
        guard carriesSIP else { return }
        message.payload.withUnsafeBytes {
            sip.decodeWebSocketMessage(
                $0, source: stream.source(of: message.direction),
                destination: stream.destination(of: message.direction),
                stamp: message.stamp, transport: stream.webSocketTransportName)
        }
    }

    func report(_ diagnostic: Diagnostic) { sink.report(diagnostic) }
}
