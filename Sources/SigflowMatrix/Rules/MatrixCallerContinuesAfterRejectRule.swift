import SigflowCore

/// M8: the caller continues the call after it had processed a reject.
struct MatrixCallerContinuesAfterRejectRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M8.caller-continues-after-reject", signalingProtocol: .matrix, severity: .error,
        summary:
            "The caller selects an answer or sends candidates after a reject reached it first: the first of answer and reject wins.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.reject")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard let callerDevice = view.callerDevice else { return [] }
        let rejectsSeen = view.events("m.call.reject").compactMap { $0.delivery(to: callerDevice) }
        let answersSeen = view.events("m.call.answer").compactMap { $0.delivery(to: callerDevice) }
        guard let firstReject = rejectsSeen.min(by: { $0.time < $1.time }),
            !answersSeen.contains(where: { $0.time < firstReject.time })
        else { return [] }
        let rejected = Set(view.events("m.call.reject").map(\.party))
        return view.events.compactMap { event in
            guard event.senderDevice == callerDevice, event.time > firstReject.time else { return nil }
            let base = event.stableType
            let continues =
                base == "m.call.candidates"
                || (base == "m.call.select_answer" && !rejected.contains(event.selectedParty ?? ""))
            guard continues else { return nil }
            return descriptor.finding(
                "The caller sent \(event.type) (step \(event.step)) after a reject had reached it (step "
                    + "\(firstReject.number)) before any answer.",
                steps: [firstReject.number, event.step])
        }
    }
}
