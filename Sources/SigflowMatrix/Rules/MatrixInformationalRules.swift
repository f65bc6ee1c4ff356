import SigflowCore

/// M14: an m.call.reject carrying a reason (the event has none).
struct MatrixRejectWithReasonRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M14.reject-with-reason", signalingProtocol: .matrix, severity: .info,
        summary: "An m.call.reject carries a reason field, which the event does not define.",
        clause: "Matrix Client-Server API, Voice over IP: m.call.reject")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        context.views.view(MatrixCallView.self) { MatrixCallView(call) }.events("m.call.reject").compactMap { reject in
            guard let reason = reject.reason else { return nil }
            return descriptor.finding(
                "m.call.reject (step \(reject.step)) carries reason '\(reason)'.", steps: [reject.step])
        }
    }
}

/// M18: a hang-up reason outside the spec's enum.
struct MatrixUnknownHangupReasonRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M18.unknown-hangup-reason", signalingProtocol: .matrix, severity: .info,
        summary: "An m.call.hangup reason outside the spec's enum (matrix-js-sdk sends replaced, transferred, ...).",
        clause: "Matrix Client-Server API, Voice over IP: m.call.hangup")

    static let reasons: Set<String> = [
        "ice_failed", "ice_timeout", "invite_timeout", "user_hangup", "user_media_failed", "user_busy", "unknown_error",
    ]

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        context.views.view(MatrixCallView.self) { MatrixCallView(call) }.events("m.call.hangup").compactMap { hangup in
            guard let reason = hangup.reason, !Self.reasons.contains(reason) else { return nil }
            return descriptor.finding(
                "m.call.hangup (step \(hangup.step)) gives reason '\(reason)', which the spec does not define.",
                steps: [hangup.step])
        }
    }
}

/// M19: the caller never selects the reject it acted on. The spec says it should; matrix-js-sdk and
/// Element do not, so this is information, not a fault.
struct MatrixRejectNotSelectedRule: CallRule {
    let descriptor = RuleDescriptor(
        id: "matrix.M19.reject-not-selected", signalingProtocol: .matrix, severity: .info,
        summary:
            "A reject ended the call but the caller sent no m.call.select_answer for it (the spec asks for one; matrix-js-sdk sends none).",
        clause: "Matrix Client-Server API, Voice over IP: m.call.reject vs matrix-js-sdk onRejectReceived")

    func check(_ call: Call, context: CheckContext) -> [Finding] {
        let view = context.views.view(MatrixCallView.self) { MatrixCallView(call) }
        guard view.events("m.call.answer").isEmpty, view.events("m.call.select_answer").isEmpty,
            let reject = view.events("m.call.reject").first
        else { return [] }
        return [
            descriptor.finding(
                "The call ended with a reject from \(reject.party) (step \(reject.step)) that the caller never selected.",
                steps: [reject.step])
        ]
    }
}
