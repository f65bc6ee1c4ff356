import SigflowCore

/// How WhatsApp calls are read: the client logs of a run are single-device views merged before
/// correlation (`WhatsAppLogMerger`: clocks, device names, implied hops, a capture's timeline), and a
/// correlated call gets WhatsApp's own outcomes and open questions after (`WhatsAppCallReview`).
public struct WhatsAppCallPolicy: CallPolicy {
    public var signalingProtocol: SignalingProtocol { .whatsapp }
    public var callWord: String { "call" }

    public init() {}

    /// Merges the client logs among `calls`, which can move messages between calls (an ack to the
    /// call of the stanza it answers, a timeline's steps to the call of the device's log), and
    /// regroups them by call, in order of each call's first message. Calls come back as they are
    /// when no client log is among them.
    public func prepare(_ calls: [[SignalingMessage]]) -> PreparedCalls {
        let hasLogs = calls.contains { messages in
            messages.first?.signalingProtocol == .whatsapp && messages.contains { $0.transport == .log }
        }
        guard hasLogs else { return PreparedCalls(calls: calls) }
        let merged = WhatsAppLogMerger.merge(calls.flatMap { $0 })
        return PreparedCalls(
            calls: merged.joinedLogs ? Self.grouped(merged.messages) : calls, diagnostics: merged.diagnostics)
    }

    public func review(_ call: Call) -> Call { WhatsAppCallReview.review(call) }

    public var rules: [any CallRule] {
        [
            WhatsAppActionWithoutOfferRule(), WhatsAppAcceptAfterDismissalRule(), WhatsAppSecondAcceptRule(),
            WhatsAppCallEndedAfterBusyRule(), WhatsAppAcceptAfterDeclineRule(), WhatsAppAnswererDismissedRule(),
            WhatsAppAnswerToEndedOfferRule(), WhatsAppCallerRejectsRule(), WhatsAppActionAfterTerminateRule(),
            WhatsAppCallNotAckedRule(), WhatsAppRefusedOfferContinuesRule(), WhatsAppMediaAfterEndRule(),
            WhatsAppBaileysRingingRule(),
        ]
    }

    /// Messages grouped by call, in order of each call's first message.
    static func grouped(_ messages: [SignalingMessage]) -> [[SignalingMessage]] {
        var order: [CallKey] = []
        var byCall: [CallKey: [SignalingMessage]] = [:]
        for message in messages {
            if byCall[message.call] == nil { order.append(message.call) }
            byCall[message.call, default: []].append(message)
        }
        return order.map { byCall[$0]! }
    }
}
