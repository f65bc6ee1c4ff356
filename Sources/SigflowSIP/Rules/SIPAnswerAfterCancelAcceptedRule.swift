import SigflowCore

/// S5: a UAS answers 200 to a CANCEL and then 2xx to the INVITE instead of 487.
struct SIPAnswerAfterCancelAcceptedRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S5.answer-after-cancel-accepted", signalingProtocol: .sip, severity: .warning,
        summary: "A device accepts a CANCEL with 200 and then answers the INVITE with 2xx instead of 487.",
        clause: "RFC 3261 §9.2")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        // A proxy accepts a CANCEL at once and must still forward a 2xx its branch sent before the
        // CANCEL reached it (RFC 3261 §16.10, §16.7 step 5): only the device's own hop can tell.
        for invite in view.invites where view.role(of: invite.to) != .proxy {
            for cancel in view.requests("CANCEL", onHopOf: invite) {
                guard
                    let accepted = view.responses(to: cancel, method: "CANCEL").first(where: {
                        $0.status?.isSuccess == true
                    }),
                    let answer = view.responses(to: invite).first(where: {
                        $0.status?.isSuccess == true && $0.time > accepted.time
                    })
                else { continue }
                findings.append(
                    descriptor.finding(
                        "\(invite.to) accepted the CANCEL (step \(accepted.number)) and then answered the INVITE "
                            + "with \(answer.step.message.label) (step \(answer.number)) instead of 487.",
                        steps: [accepted.number, answer.number]))
            }
        }
        return findings
    }
}
