import SigflowCore

/// S16: a final 4xx-6xx to an INVITE that was never sent on that hop.
struct SIPRejectWithoutInviteRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S16.reject-without-invite", signalingProtocol: .sip, severity: .warning,
        summary: "A final 4xx-6xx answers an INVITE (by branch) that the capture never saw on that hop.",
        clause: "RFC 3261 §17.1.3")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        let requests = view.steps.filter { $0.isRequest("INVITE") }
        return view.steps.compactMap { response in
            guard response.isInviteResponse, (response.status ?? 0) >= 400,
                !requests.contains(where: {
                    $0.from == response.to && $0.to == response.from && $0.branch == response.branch
                        && $0.cseq == response.cseq
                })
            else { return nil }
            return descriptor.finding(
                "\(response.from) sent \(response.step.message.label) (step \(response.number)) for an INVITE "
                    + "(branch \(response.branch ?? "none"), CSeq \(response.cseq.map { String($0) } ?? "?")) that was never sent to it.",
                steps: [response.number])
        }
    }
}
