import SigflowCore

/// M5: a party that was not selected keeps sending candidates, negotiations or hang-ups.
struct MatrixLoserContinuesRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M5.unselected-party-continues", signalingProtocol: .matrix, severity: .warning,
        summary:
            "A party that was not selected sends m.call.candidates, negotiate or hangup after it received the select_answer.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.select_answer, m.call.negotiate")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let select = view.events("m.call.select_answer").first, let selected = select.selectedParty else {
            return []
        }
        let callerParty = view.invite?.party
        var findings: [Finding] = []
        for event in view.events
        where ["m.call.candidates", "m.call.negotiate", "m.call.hangup"].contains(
            event.stableType)
        {
            guard event.party != selected, event.party != callerParty, let device = event.senderDevice,
                let told = select.delivery(to: device), told.time < event.time
            else { continue }
            findings.append(
                descriptor.finding(
                    "\(event.party) sent \(event.type) (step \(event.step)) after learning that \(selected) was "
                        + "selected (step \(told.number)).",
                    steps: [told.number, event.step]))
        }
        return findings
    }
}
