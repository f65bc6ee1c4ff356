import SigflowCore

/// X5: a Jingle IQ-set for a session already terminated, acknowledged as if the session lived (the
/// answer should be `item-not-found` with `<unknown-session/>`). Judged only when the answer is seen.
struct XMPPActionAfterTerminateRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "xmpp.X5.action-after-terminate", signalingProtocol: .xmpp, severity: .error,
        summary:
            "A Jingle IQ-set after session-terminate for its sid that is not answered with item-not-found + "
            + "<unknown-session/>: an ENDED session is final.",
        clause: "XEP-0166 #session-terminate, #errors")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(XMPPCallView.self) { XMPPCallView(call) }
        guard let terminate = view.jingleActions("session-terminate").first else { return [] }
        var findings: [Finding] = []
        for action in view.jingleActions() where action.time > terminate.time && action.element != "session-initiate" {
            for answer in view.answers(to: action) {
                guard !(answer.element == "error" && answer.detail.errors.contains("unknown-session")) else { continue }
                let how = answer.element == "error" ? "an error without <unknown-session/>" : "a plain IQ result"
                findings.append(
                    descriptor.finding(
                        "\(action.label) (step \(action.step)) comes after session-terminate (step \(terminate.step)) "
                            + "and is answered with \(how) (step \(answer.step)) instead of item-not-found + "
                            + "<unknown-session/>.",
                        steps: [terminate.step, action.step, answer.step]))
                break
            }
        }
        return findings
    }
}
