import SigflowCore

/// W4: the caller ends the whole call right after one device refused as busy while another device was
/// still ringing (had preaccepted): `busy` refuses on that device only.
struct WhatsAppCallEndedAfterBusyRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W4.call-ended-after-busy", signalingProtocol: .whatsapp, severity: .warning,
        summary:
            "The caller ends the call within seconds of a busy reject from one device while another device "
            + "has preaccepted (busy is per device).",
        clause: "whatsapp-rust REJECT_REASON_BUSY; purpshell/meowcaller issue #25")

    /// How soon after the busy reject an ending terminate counts as caused by it.
    static let window: Int64 = 3_000_000_000

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        guard let creator = view.creator else { return [] }
        let ends = view.calls(["terminate"]).filter { !$0.isDismissal && $0.sender == creator }
        let accepts = view.calls(["accept"])
        let preaccepts = view.calls(["preaccept"])
        let refusals = view.calls(["reject"])
        var findings: [Finding] = []
        for busy in refusals where busy.reason == "busy" {
            guard
                let end = ends.first(where: {
                    busy.precedes($0) && $0.time.nanoseconds(since: busy.time) <= Self.window
                }),
                !accepts.contains(where: { $0.precedes(end) })
            else { continue }
            let ringing = preaccepts.filter { preaccept in
                preaccept.sender != busy.sender && preaccept.precedes(end)
                    && !refusals.contains { $0.sender == preaccept.sender && $0.precedes(end) }
            }
            guard let other = ringing.first else { continue }
            findings.append(
                descriptor.finding(
                    "The caller ends the call (step \(end.step)) right after \(busy.sender ?? "a device") refused as "
                        + "busy (step \(busy.step)), while \(other.sender ?? "another device") was ringing (step "
                        + "\(other.step)).",
                    steps: [busy.step, other.step, end.step]))
        }
        return findings
    }
}
