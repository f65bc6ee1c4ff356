import SigflowCore

/// S22: an in-dialog request (BYE, re-INVITE, INFO, ...) is answered 481 and the capture shows no
/// dialog of that Call-ID: no response to an INVITE or SUBSCRIBE ever carried a To tag.
struct SIPNoSuchDialogRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "sip.S22.no-such-dialog", signalingProtocol: .sip, severity: .warning,
        summary:
            "An in-dialog request is answered 481 and the capture shows no dialog of that Call-ID being set up: the "
            + "far end knows no such dialog.",
        clause: "RFC 3261 §12.2.2, §15.1.2")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(SIPCallView.self) { SIPCallView(call) }
        let dialogSetUp = view.steps.contains { step in
            step.status.map { (101..<300).contains($0) } == true && step.toTag != nil
                && (step.cseqMethod == "INVITE" || step.cseqMethod == "SUBSCRIBE")
        }
        guard !dialogSetUp else { return [] }
        return view.steps.compactMap { response in
            // A CANCEL answered 481 is S9; a request outside any dialog has no To tag.
            guard response.status == 481, response.cseqMethod != "CANCEL", response.cseqMethod != nil,
                let request = view.steps.last(where: {
                    $0.isRequest(response.cseqMethod!) && $0.from == response.to && $0.to == response.from
                        && $0.branch == response.branch && $0.cseq == response.cseq && $0.toTag != nil
                })
            else { return nil }
            return descriptor.finding(
                "\(response.from) answered \(request.step.message.label) (step \(request.number)) with "
                    + "\(response.step.message.label) (step \(response.number)): it knows no such dialog, and the "
                    + "capture shows none of Call-ID \(call.callID).",
                steps: [request.number, response.number])
        }
    }
}
