import SigflowCore

/// W5: a reason-less reject (the user declines, for every device) followed by an accept from another
/// device of the same user.
struct WhatsAppAcceptAfterDeclineRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W5.accept-after-decline", signalingProtocol: .whatsapp, severity: .warning,
        summary:
            "A reject without reason (a user decline) is followed by an accept from another device of the user. [U]",
        clause: "whatsapp-rust reject_is_device_busy")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        let declines = view.calls(["reject"]).filter { $0.reason == nil && $0.sender != view.creator }
        var findings: [Finding] = []
        for accept in view.calls(["accept"]) where accept.sender != view.creator {
            guard
                let decline = declines.first(where: { decline in
                    decline.sender != accept.sender && decline.precedes(accept)
                        && (WhatsAppCallView.user(decline.sender) == WhatsAppCallView.user(accept.sender)
                            || WhatsAppCallView.user(decline.sender) == nil
                            || WhatsAppCallView.user(accept.sender) == nil)
                })
            else { continue }
            findings.append(
                descriptor.finding(
                    "\(accept.sender ?? "A device") accepts (step \(accept.step)) after \(decline.sender ?? "another device") "
                        + "declined the call for the user (step \(decline.step)).",
                    steps: [decline.step, accept.step]))
        }
        return findings
    }
}
