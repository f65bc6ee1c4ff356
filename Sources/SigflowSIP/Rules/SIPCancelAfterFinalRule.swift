import SigflowCore

/// S8: a CANCEL sent after the INVITE already had its final response.
struct SIPCancelAfterFinalRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S8.cancel-after-final", signalingProtocol: .sip, severity: .warning,
        summary: "A CANCEL is sent after the INVITE already received its final response; it can have no effect.",
        clause: "RFC 3261 §9.1")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for invite in view.invites {
            let finals = view.responses(to: invite).filter(\.isFinal)
            for cancel in view.requests("CANCEL", onHopOf: invite) {
                guard let final = finals.first(where: { $0.time < cancel.time }) else { continue }
                findings.append(
                    descriptor.finding(
                        "\(cancel.from) sent CANCEL (step \(cancel.number)) after the INVITE had its final response "
                            + "\(final.step.message.label) (step \(final.number)).",
                        steps: [final.number, cancel.number]))
            }
        }
        return findings
    }
}
