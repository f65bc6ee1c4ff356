import SigflowCore

/// X6: a session-accept after the session was terminated, or from a second resource.
struct XMPPSecondAcceptRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X6.accept-after-end-or-second-responder", signalingProtocol: .xmpp, severity: .error,
        summary: "A session-accept after session-terminate, or from a second resource: one responder, and after "
            + "terminate the session is gone.",
        clause: "XEP-0166 #def-jingle (responder), #session-terminate")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        let terminate = view.jingleActions("session-terminate").first
        var responder: XMPPStanza?
        var findings: [Finding] = []
        for accept in view.jingleActions("session-accept") {
            if let terminate, accept.time > terminate.time {
                findings.append(
                    descriptor.finding(
                        "session-accept from \(accept.origin) (step \(accept.step)) comes after session-terminate "
                            + "(step \(terminate.step)).",
                        steps: [terminate.step, accept.step]))
            } else if let first = responder, first.origin != accept.origin {
                findings.append(
                    descriptor.finding(
                        "session-accept from \(accept.origin) (step \(accept.step)) after \(first.origin) already "
                            + "accepted (step \(first.step)).",
                        steps: [first.step, accept.step]))
            }
            responder = responder ?? accept
        }
        return findings
    }
}
