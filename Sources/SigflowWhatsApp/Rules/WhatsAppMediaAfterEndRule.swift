import SigflowCore

/// W12: relay or peer media still flowing more than a few seconds after the reject or terminate that
/// ended the call. Media is only visible as timing in a capture (`media-event` steps from a pcap
/// timeline placed on the call); without them the rule says nothing.
struct WhatsAppMediaAfterEndRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W12.media-after-end", signalingProtocol: .whatsapp, severity: .warning,
        summary: "Relay/UDP media continues more than a few seconds after the reject or terminate that ended the call.",
        clause: "no published WhatsApp specification; whatsmeow and Baileys end a call on terminate or reject, "
            + "and only timing is observable (3 s teardown grace, as for SIP rule S18)")

    /// Teardown grace: media may trail the ending stanza by this much.
    static let grace: Int64 = 3_000_000_000

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        let ending = view.stanzas.first { stanza in
            stanza.tag == .call
                && ((stanza.action == "reject" && stanza.reason != "busy")
                    || (stanza.action == "terminate" && !stanza.isDismissal))
        }
        guard let ending else { return [] }
        let media = call.steps.filter { $0.message.waTimeline?.event.media != nil }
        guard
            let late = media.last(where: { $0.time.nanoseconds(since: ending.time) > Self.grace })
        else { return [] }
        let tenths = late.time.nanoseconds(since: ending.time) / 100_000_000
        return [
            descriptor.finding(
                "Media is still seen \(tenths / 10).\(tenths % 10) s after <\(ending.action)> (step \(ending.step)): "
                    + "\(late.message.label) at step \(late.number).",
                steps: [ending.step, late.number])
        ]
    }
}
