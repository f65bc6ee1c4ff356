import SigflowCore

/// X7: `<decline/>` or `<busy/>` sent by the initiator, or `<cancel/>` sent by the responder, on
/// session-terminate.
struct XMPPReasonFromWrongPartyRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X7.reason-from-wrong-party", signalingProtocol: .xmpp, severity: .warning,
        summary: "session-terminate with <decline/> or <busy/> from the initiator, or <cancel/> from the responder.",
        clause: "XEP-0166 #def-reason")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        guard let initiator = view.initiator else { return [] }
        return view.jingleActions("session-terminate").compactMap { terminate in
            guard let reason = terminate.reason else { return nil }
            let byInitiator = terminate.origin == initiator
            if byInitiator && (reason == "decline" || reason == "busy") {
                return descriptor.finding(
                    "The initiator \(terminate.origin) ends the session with <\(reason)/> (step \(terminate.step)), "
                        + "a responder's reason; the initiator withdraws with <cancel/>.",
                    steps: [terminate.step])
            }
            if !byInitiator && reason == "cancel" {
                return descriptor.finding(
                    "The responder \(terminate.origin) ends the session with <cancel/> (step \(terminate.step)), the "
                        + "initiator's reason; a responder refuses with <decline/> or <busy/>.",
                    steps: [terminate.step])
            }
            return nil
        }
    }
}
