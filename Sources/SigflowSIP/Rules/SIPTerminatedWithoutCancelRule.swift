import SigflowCore

/// S6: 487 Request Terminated for an INVITE no CANCEL or BYE reached.
struct SIPTerminatedWithoutCancelRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S6.terminated-without-cancel", signalingProtocol: .sip, severity: .warning,
        summary: "A 487 Request Terminated answers an INVITE that no CANCEL or BYE reached on that hop.",
        clause: "RFC 3261 §21.4.25")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for invite in view.invites {
            for terminated in view.responses(to: invite) where terminated.status == 487 {
                // A CANCEL from the caller, or a BYE from either side (a callee may end its early dialog
                // itself, the fault S12 reports), terminates the request.
                let ended =
                    view.requests("CANCEL", onHopOf: invite).contains { $0.time <= terminated.time }
                    || view.steps.contains { $0.isRequest("BYE") && $0.time <= terminated.time }
                guard !ended else { continue }
                findings.append(
                    descriptor.finding(
                        "\(invite.to) answered the INVITE (step \(invite.number)) with 487 (step \(terminated.number)) "
                            + "though no CANCEL or BYE ended it.",
                        steps: [invite.number, terminated.number]))
            }
        }
        return findings
    }
}
