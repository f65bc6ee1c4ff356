import SigflowCore

/// X13: ICE/RTP media between the peers going on after session-terminate or a JMI reject ends the
/// session (XEP-0166: after session-terminate the session no longer exists). Judged on the media the
/// capture shows (streams to the Jingle candidates the devices announced), after the teardown grace
/// of `MediaAfterEnd`: every stream to or from a device that sent or received the ending message.
struct XMPPMediaAfterEndRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X13.media-after-end", signalingProtocol: .xmpp, severity: .error,
        summary:
            "ICE/RTP media between the peers goes on more than 3 s after session-terminate or a JMI reject.",
        clause: "XEP-0166 #session-terminate")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let media = MediaAfterEnd(call)
        guard !media.lastStops.isEmpty else { return [] }
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        let endings = view.stanzas.filter { stanza in
            (stanza.isJingleAction && stanza.element == "session-terminate")
                || (stanza.isJingleMessage && stanza.element == "reject" && !stanza.isSpoofed)
        }
        guard let end = endings.first, let endStep = end.steps.min(by: { $0.number < $1.number }) else { return [] }
        return media.late(after: endStep, reaching: end.steps).map { stop in
            descriptor.finding(
                MediaAfterEnd.describe(stop, after: endStep, endName: end.label), steps: [endStep.number, stop.number])
        }
    }
}
