import Foundation
import SigflowCore

/// Calls built by hand, for renderer tests that must not depend on a decoder.
enum Fixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A protocol of the renderers' own: these tests link no protocol module.
    static let signaling = SignalingProtocol(id: "sip", displayName: "SIP", forkedWord: "forked", rank: 0)

    static func stamp(_ seconds: Double, frame: Int) -> PacketStamp {
        PacketStamp(time: CaptureTime(seconds: 1_700_000_000 + seconds), source: SourceRef(capture: 0, frame: frame))
    }

    static func party(_ text: String, user: String? = nil, agent: String? = nil) -> Party {
        var party = Party(endpoint: Endpoint(Substring(text))!)
        party.user = user
        party.agent = agent
        return party
    }

    /// Every text field a capture controls, filled with what breaks diagrams and tables.
    static let hostile = [
        "a;b", "#hash", "x: y", "pipe|pipe", "arrow -->> B", "%% comment", "line\nbreak", "back`tick",
        "<script>alert(1)</script>", "&lt;b&gt;", "{{mustache}}", "end", "participant evil as X",
        "Note over caller: injected", String(repeating: "L", count: 300),
    ].joined(separator: " ")

    static func message(
        _ kind: MessageKind, _ label: String, from: Party, to: Party, at seconds: Double, frame: Int,
        status: Int? = nil, notes: [String] = []
    ) -> SignalingMessage {
        SignalingMessage(
            call: CallKey(signaling, callID: "call-\(hostile)"), callID: "call-\(hostile)", kind: kind,
            statusCode: status, sender: from, receiver: to, stamp: stamp(seconds, frame: frame), transport: .udp,
            identity: MessageKey(UInt64(frame)),
            detail: PlainDetail(label: label, headline: label + " " + hostile, notes: notes))
    }

    /// A declined call whose every capture-controlled string is hostile.
    static var hostileCall: Call {
        let caller = party("10.0.0.1:5060", user: "alice\(hostile)", agent: "UA \(hostile)")
        let callee = party("10.0.0.2:5060", user: "bob\(hostile)", agent: "Server \(hostile)")
        let messages = [
            message(.offer, "INVITE", from: caller, to: callee, at: 0, frame: 1, notes: ["SDP \(hostile)"]),
            message(.ringing, "180 \(hostile)", from: callee, to: caller, at: 0.5, frame: 2, status: 180),
            message(
                .reject, "603 \(hostile)", from: callee, to: caller, at: 5, frame: 3, status: 603,
                notes: ["Reason: \(hostile)"]),
            message(.confirm, "ACK", from: caller, to: callee, at: 5.1, frame: 4),
        ]
        let participants = [
            Participant(
                id: "caller", role: .caller, label: "Caller \(hostile)", partyKey: caller.key,
                endpoints: [caller.endpoint!], user: caller.user, agent: caller.agent, devices: [], outcome: .declined),
            Participant(
                id: "callee", role: .callee, label: "Callee \(hostile)", partyKey: callee.key,
                endpoints: [callee.endpoint!], user: callee.user, agent: callee.agent,
                devices: [Device(key: DeviceKey("tag\(hostile)"), label: "dev \(hostile)", outcome: .declined)],
                outcome: .declined
            ),
        ]
        let steps = messages.enumerated().map { index, message in
            CallStep(
                number: index + 1, message: message, from: message.sender.key == caller.key ? "caller" : "callee",
                to: message.receiver.key == caller.key ? "caller" : "callee", time: message.stamp.time,
                sightings: [Sighting(source: message.stamp.source, time: message.stamp.time)], retransmissions: [])
        }
        return Call(
            signalingProtocol: signaling, callID: "call-\(hostile)", linkedCallIDs: [], method: "INVITE",
            participants: participants, steps: steps, outcome: .declined,
            timing: CallTiming(start: steps[0].time, end: steps[3].time),
            findings: [
                Finding(ruleID: "sip.S0.\(hostile)", severity: .error, message: hostile, steps: [3], clause: hostile)
            ],
            openQuestions: [hostile])
    }
}
