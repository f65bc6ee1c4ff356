import SigflowCore

/// S7: a CANCEL sent before any provisional response on its hop.
struct SIPCancelBeforeProvisionalRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S7.cancel-before-provisional", signalingProtocol: .sip, severity: .error,
        summary: "A CANCEL is sent before any provisional response to the INVITE arrived.",
        clause: "RFC 3261 §9.1")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for invite in view.invites {
            let responses = view.responses(to: invite)
            for cancel in view.requests("CANCEL", onHopOf: invite)
            where !responses.contains(where: { $0.time <= cancel.time }) {
                findings.append(
                    descriptor.finding(
                        "\(cancel.from) cancelled the INVITE (step \(invite.number)) at step \(cancel.number) before "
                            + "any provisional response had arrived.",
                        steps: [invite.number, cancel.number]))
            }
        }
        return findings
    }
}
