import SigflowCore

/// S20: the 200 to a CANCEL and the 487 to its INVITE carry different To tags.
struct SIPCancelTagsDifferRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S20.cancel-tags-differ", signalingProtocol: .sip, severity: .warning,
        summary: "The 200 answering a CANCEL and the 487 answering its INVITE carry different To tags.",
        clause: "RFC 3261 §9.2")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        var findings: [Finding] = []
        for invite in view.invites {
            let terminated = view.responses(to: invite).filter { $0.status == 487 }
            for cancel in view.requests("CANCEL", onHopOf: invite) {
                for accepted in view.responses(to: cancel, method: "CANCEL") where accepted.status?.isSuccess == true {
                    for final in terminated {
                        guard let a = accepted.toTag, let b = final.toTag, a != b, !relayed(final, view) else {
                            continue
                        }
                        findings.append(
                            descriptor.finding(
                                "The 200 to the CANCEL (step \(accepted.number)) has To tag \(a) but the 487 "
                                    + "(step \(final.number)) has \(b).",
                                steps: [accepted.number, final.number]))
                    }
                }
            }
        }
        return findings
    }

    /// A 487 a proxy passes on from a device: the proxy answered the CANCEL itself (RFC 3261 §16.10)
    /// before any device's tag could be known, so the tags differ by design; §9.2 asks it of the UAS.
    private func relayed(_ terminated: SIPStep, _ view: SIPCallView) -> Bool {
        view.role(of: terminated.from) == .proxy
            && view.steps.contains {
                $0.status == 487 && $0.to == terminated.from && $0.toTag == terminated.toTag
            }
    }
}
