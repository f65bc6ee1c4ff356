import SigflowCore

/// W8: the call creator's own device sends `<reject>`; a caller ends its call with `<terminate>`.
struct WhatsAppCallerRejectsRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "whatsapp.W8.caller-rejects", signalingProtocol: .whatsapp, severity: .error,
        summary: "The caller's own device sends <reject>; reject is a callee action, a caller terminates.",
        clause: "whatsmeow RejectCall; whatsapp-rust builders (reject built with call-creator = remote caller)")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(WhatsAppCallView.self) { WhatsAppCallView(call) }
        guard let creator = view.creator else { return [] }
        return view.calls(["reject"]).filter { $0.sender == creator }.map { reject in
            descriptor.finding(
                "The caller's device \(creator) sends <reject> (step \(reject.step)) for its own call"
                    + (reject.callCreator.map { $0 != creator ? " (naming \($0) as call-creator)" : "" }
                        ?? "") + ".",
                steps: [reject.step])
        }
    }
}
