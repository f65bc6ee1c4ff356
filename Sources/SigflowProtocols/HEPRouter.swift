import SigflowCore
import SigflowFraming
import SigflowSIP

/// Decodes what HEP capture agents send a collector (UDP or TCP, port 9060 by custom, recognised by
/// content): the SIP they carry is decoded as if captured where the agent saw it (its endpoints,
/// transport and time; the frame that carried the HEP packet), each agent a vantage point of its
/// own. Other payload types are counted and skipped.
final class HEPRouter {
    private let sip: SIPDecoder
    private let sink: any SignalingSink
    private var skippedByType: [UInt8: Int] = [:]
    private var malformed = 0
    private var compressed = 0

    init(sip: SIPDecoder, sink: any SignalingSink) {
        self.sip = sip
        self.sink = sink
    }

    /// Decodes `bytes` if they are one HEP packet; false when they are not HEP.
    func decode(_ bytes: UnsafeRawBufferPointer, carriedBy stamp: PacketStamp) -> Bool {
        guard HEPPacket.looksLikeHEP(bytes) else { return false }
        guard let hep = HEPPacket(bytes) else {
            malformed += 1
            return true
        }
        guard !hep.isCompressed else {
            compressed += 1
            return true
        }
        guard hep.payloadType == HEPPacket.sip else {
            skippedByType[hep.payloadType, default: 0] += 1
            return true
        }
        let packet = hep.transportPacket(carriedBy: stamp)
        sip.decodeMessage(
            packet.payload, source: packet.source, destination: packet.destination, stamp: packet.stamp,
            transport: hep.ipProtocol == 6 ? .tcp : hep.ipProtocol == 132 ? .sctp : .udp)
        return true
    }

    /// One warning per kind of HEP packet skipped.
    func finish() {
        for (type, count) in skippedByType.sorted(by: { $0.key < $1.key }) {
            sink.report(
                Diagnostic(
                    .warning, "hep_payload_skipped",
                    "\(count) HEP packets with payload type \(type) (\(Self.payloadName(type))) skipped: "
                        + "sigflow decodes the SIP that HEP carries"))
        }
        if compressed > 0 {
            sink.report(
                Diagnostic(.warning, "hep_compressed", "\(compressed) HEP packets with a compressed payload skipped"))
        }
        if malformed > 0 {
            sink.report(
                Diagnostic(
                    .warning, "hep_malformed",
                    "\(malformed) HEP packets without endpoints or payload (malformed) skipped"))
        }
    }

    private static func payloadName(_ type: UInt8) -> String {
        switch type {
        case 5: return "RTCP"
        case 32, 34, 35: return "RTCP-XR or QoS report"
        case 53: return "DNS"
        case 100: return "log"
        default: return "not SIP"
        }
    }
}

/// HEP v3 over TCP: the stream is a sequence of HEP3 packets, each framed by its total length.
final class HEPStreamConsumer: StreamConsumer {
    private let router: HEPRouter
    private var buffers: [[UInt8]] = [[], []]

    init(router: HEPRouter) {
        self.router = router
    }

    func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        let index = direction == .fromClient ? 0 : 1
        buffers[index].append(contentsOf: bytes)
        var start = 0
        buffers[index].withUnsafeBytes { buffer in
            while start + 6 <= buffer.count {
                let rest = UnsafeRawBufferPointer(rebasing: buffer[start...])
                guard let length = HEPPacket.hep3Length(rest), length >= 6 else {
                    // Out of step (bytes lost before): look for the next header.
                    start += 1
                    continue
                }
                guard length <= rest.count else { break }
                _ = router.decode(UnsafeRawBufferPointer(rebasing: rest[..<length]), carriedBy: stamp)
                start += length
            }
        }
        buffers[index].removeFirst(start)
    }

    func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        buffers[direction == .fromClient ? 0 : 1] = []
    }

    func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {}

    /// A HEP3 packet's length field is 16 bits: at most 64 KiB per direction wait.
    var bufferedBytes: Int { buffers[0].count + buffers[1].count }
}
