import SigflowCore

/// S14: the ACK for a non-2xx final response does not reuse the INVITE's branch or the response's To tag.
struct SIPAckMismatchRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S14.ack-mismatch", signalingProtocol: .sip, severity: .error,
        summary:
            "The ACK for a non-2xx final response has a different top Via branch than the INVITE, or a To tag other than the response's.",
        clause: "RFC 3261 §17.1.1.3")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for invite in view.invites {
            for final in view.responses(to: invite) where (final.status ?? 0) >= 300 {
                guard
                    let ack = view.requests("ACK", onHopOf: invite).first(where: { $0.time >= final.time })
                else { continue }
                var differences: [String] = []
                if ack.branch != invite.branch {
                    differences.append("branch \(ack.branch ?? "none") instead of \(invite.branch ?? "none")")
                }
                if ack.toTag != final.toTag {
                    differences.append("To tag \(ack.toTag ?? "none") instead of \(final.toTag ?? "none")")
                }
                guard !differences.isEmpty else { continue }
                findings.append(
                    descriptor.finding(
                        "The ACK (step \(ack.number)) for \(final.step.message.label) (step \(final.number)) has "
                            + differences.joined(separator: " and ") + ".",
                        steps: [final.number, ack.number]))
            }
        }
        return findings
    }
}
