import SigflowCore

/// S9: a CANCEL that does not mirror its INVITE, or one answered 481 while the INVITE is pending.
struct SIPCancelMismatchRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S9.cancel-mismatch", signalingProtocol: .sip, severity: .error,
        summary:
            "A CANCEL's top Via branch, CSeq number or From tag differs from its INVITE's, or a CANCEL is answered 481 while the INVITE is still pending.",
        clause: "RFC 3261 §9.1 and §9.2")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for cancel in view.steps where cancel.isRequest("CANCEL") {
            guard
                let invite = view.invites.last(where: {
                    $0.from == cancel.from && $0.to == cancel.to && $0.time <= cancel.time
                })
            else { continue }
            var differences: [String] = []
            if invite.branch != cancel.branch {
                differences.append("top Via branch \(cancel.branch ?? "none") instead of \(invite.branch ?? "none")")
            }
            if invite.cseq != cancel.cseq {
                differences.append(
                    "CSeq number \(cancel.cseq.map { String($0) } ?? "none") instead of \(invite.cseq.map { String($0) } ?? "none")"
                )
            }
            if invite.fromTag != cancel.fromTag {
                differences.append("From tag \(cancel.fromTag ?? "none") instead of \(invite.fromTag ?? "none")")
            }
            if !differences.isEmpty {
                findings.append(
                    descriptor.finding(
                        "The CANCEL (step \(cancel.number)) does not match its INVITE (step \(invite.number)): "
                            + differences.joined(separator: ", ") + ".",
                        steps: [invite.number, cancel.number]))
            }
            let finals = view.responses(to: invite).filter(\.isFinal)
            for unknown in view.responses(to: cancel, method: "CANCEL") where unknown.status == 481 {
                guard !finals.contains(where: { $0.time <= unknown.time }) else { continue }
                findings.append(
                    descriptor.finding(
                        "\(cancel.to) answered the CANCEL (step \(cancel.number)) with 481 (step \(unknown.number)) "
                            + "while the INVITE (step \(invite.number)) was still pending.",
                        steps: [invite.number, cancel.number, unknown.number]))
            }
        }
        return findings
    }
}
