import SigflowCore

/// X8: session-terminate `<decline/>` for a session already accepted (a normal end is `<success/>`).
struct XMPPDeclineAfterAcceptRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X8.decline-after-accept", signalingProtocol: .xmpp, severity: .warning,
        summary: "session-terminate <decline/> after session-accept: decline is for a session not yet accepted.",
        clause: "XEP-0166 #session-terminate")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        guard let accept = view.jingleActions("session-accept").first,
            let terminate = view.jingleActions("session-terminate").first,
            terminate.time > accept.time, terminate.reason == "decline"
        else { return [] }
        return [
            descriptor.finding(
                "session-terminate <decline/> (step \(terminate.step)) ends a session accepted at step \(accept.step); "
                    + "an accepted session ends with <success/>.",
                steps: [accept.step, terminate.step])
        ]
    }
}
