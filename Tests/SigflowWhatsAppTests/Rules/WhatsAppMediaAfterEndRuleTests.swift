import SigflowCore
import SigflowTestSupport
import Testing

@testable import SigflowWhatsApp

/// W12: relay media still flowing after the stanza that ended the call.
struct WhatsAppMediaAfterEndRuleTests {
    typealias L = WALogCase
    let rule = WhatsAppMediaAfterEndRule()

    /// alice's log: the phone accepts, and alice hangs up a quarter of a minute later.
    static let log =
        [L.offer("14:07:12.000")] + L.received("14:07:14.000", id: "A1", from: L.phone, action: "accept")
        + [L.sent("14:07:30.000", id: "T1", to: L.phone, action: "terminate")]

    /// A capture of alice's device as `WhatsAppTimeline` records it: a burst of encrypted signaling
    /// where her log shows each stanza (so that the log is placed on it), and media via a relay
    /// from a second after the accept until `seconds` after the terminate.
    static func capture(mediaAfterTerminate seconds: Double) -> ([SignalingMessage]) -> [SignalingMessage] {
        { messages in
            var timeline = WhatsAppTimeline.Builder(client: IPAddress(Substring("192.0.2.10"))!)
            var server = WAParty.server
            server.endpoint = Endpoint(Substring("157.240.0.1:443"))!
            var relays = Party(name: "relays", isServer: true, agent: "WhatsApp relays")
            relays.endpoint = Endpoint(Substring("203.0.113.5:3478"))!
            var frame = 0
            func stamp(_ time: CaptureTime) -> PacketStamp {
                frame += 1
                return PacketStamp(time: time, source: SourceRef(capture: 1, frame: frame))
            }
            let stanzas = messages.filter { $0.waLog?.stanza != nil }
            for message in stanzas {
                let up = message.waLog?.direction == .send
                let burst = WATimelineDetail.Burst(
                    framesUp: up ? 1 : 0, framesDown: up ? 0 : 1, bytes: 120, server: server.endpoint!,
                    until: message.stamp.time)
                timeline.emit(
                    "encrypted signaling", from: up ? timeline.clientParty : server,
                    to: up ? server : timeline.clientParty, stamp: stamp(message.stamp.time), transport: .tcp,
                    event: .burst(burst))
            }
            func media(_ event: MediaDetail.Event, after action: String, seconds: Double, label: String) {
                let time = stanzas.first { $0.waLog?.action == action }!.stamp.time
                let media = WATimelineDetail.Media(
                    event: event, remote: relays.endpoint!, socket: Endpoint(Substring("192.0.2.10:40000"))!,
                    packetsOut: 400, packetsIn: 400, bytes: 96_000)
                timeline.emit(
                    label, from: timeline.clientParty, to: relays,
                    stamp: stamp(time.adding(nanoseconds: Int64(seconds * 1e9))), transport: .udp,
                    event: .media(media))
            }
            media(.start, after: "accept", seconds: 1, label: "media starts via relay 203.0.113.5:3478")
            media(
                .stop, after: "terminate", seconds: seconds,
                label: "media stops via relay 203.0.113.5:3478: 800 packets")
            return timeline.messages
        }
    }

    @Test func mediaGoesOnAfterTheTerminate() {
        let findings = L.findings(rule, logs: [Self.log], extra: Self.capture(mediaAfterTerminate: 6))
        #expect(findings.map(\.outline) == ["whatsapp.W12.media-after-end warning [11, 14]"])
        #expect(
            findings.first?.message
                == "Media is still seen 6.0 s after <terminate> (step 11): media stops via relay 203.0.113.5:3478: "
                + "800 packets at step 14.")
    }

    @Test func mediaWithinTheGrace() {
        #expect(L.findings(rule, logs: [Self.log], extra: Self.capture(mediaAfterTerminate: 2)).isEmpty)
    }
}
