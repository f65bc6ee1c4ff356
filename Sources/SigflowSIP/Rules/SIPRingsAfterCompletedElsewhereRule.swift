import SigflowCore

/// S11: a forked device goes on ringing after it accepted a CANCEL that said the call was completed
/// elsewhere (`Reason: SIP;cause=200`). Its 200 to the CANCEL shows it had the CANCEL; an answer
/// after that is S5. Ringing again counts whether the 18x is new or the same one sent once more (a
/// retransmission of the step, which the flow folds into it).
struct SIPRingsAfterCompletedElsewhereRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S11.rings-after-completed-elsewhere", signalingProtocol: .sip, severity: .warning,
        summary:
            "A device sends 18x after accepting a CANCEL that says the call was completed elsewhere (Reason: "
            + "SIP;cause=200).",
        clause: "RFC 3326 §2; RFC 3261 §9.2")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for invite in view.invites {
            for cancel in view.requests("CANCEL", onHopOf: invite) where cancel.step.message.elsewhere == .answered {
                guard
                    let accepted = view.responses(to: cancel, method: "CANCEL").first(where: {
                        $0.status?.isSuccess == true
                    }),
                    let ringing = view.responses(to: invite).first(where: {
                        $0.step.message.kind == .ringing && $0.step.lastCopyTime > accepted.time
                    })
                else { continue }
                let again = ringing.time > accepted.time ? "" : " again"
                findings.append(
                    descriptor.finding(
                        "\(invite.to) accepted the CANCEL saying the call was completed elsewhere (step "
                            + "\(accepted.number)) and then sent \(ringing.step.message.label) (step \(ringing.number))"
                            + "\(again).",
                        steps: [cancel.number, accepted.number, ringing.number]))
            }
        }
        return findings
    }
}

extension CallStep {
    /// When the last copy of the message was seen, on the step's clock: a retransmission's capture
    /// time moved by the step's clock offset.
    fileprivate var lastCopyTime: CaptureTime {
        guard let last = retransmissions.last else { return time }
        return time.adding(nanoseconds: last.time.nanoseconds(since: sightings[0].time))
    }
}
