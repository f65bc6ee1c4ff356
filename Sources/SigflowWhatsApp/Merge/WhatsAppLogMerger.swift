import SigflowCore

/// What merging the logs of a run gave.
struct WhatsAppMergeResult: Sendable {
    var messages: [SignalingMessage]
    var diagnostics: [Diagnostic]
    /// Whether client logs were merged: without them the messages come back as they were given,
    /// in the same order and with the same call ids.
    var joinedLogs: Bool
}

/// Puts the WhatsApp logs of one run together before correlation. Each log is one device's view; the
/// merger is where the views meet:
///
/// 1. acks whose stanza was logged elsewhere get their call id (acks carry only the stanza id);
/// 2. a log that never names its own device gets the JID the other logs address it by;
/// 3. log clocks are aligned: a stanza's delivery cannot precede its send (`WAClockAligner`);
/// 4. what needs the whole call is settled: a reject sent by the call's creator is a cancel, a
///    terminate before any answer is a cancel, and a `*_elsewhere` terminate sent to a device that
///    had already answered or refused does not dismiss it (`WACallClassifier`);
/// 5. hops the logs imply but do not show are added as inferred steps (`WAHopInference`);
/// 6. a capture of one of the devices (its encrypted timeline) takes the logs onto its clock, and its
///    steps join the device's call (`WAPcapPlacement`).
///
/// Messages of other protocols pass through unchanged.
enum WhatsAppLogMerger {
    static func merge(_ messages: [SignalingMessage]) -> WhatsAppMergeResult {
        var diagnostics: [Diagnostic] = []
        var others: [SignalingMessage] = []
        var logs: [SignalingMessage] = []
        var timeline: [SignalingMessage] = []
        for message in messages {
            if message.signalingProtocol == .whatsapp && message.transport == .log {
                logs.append(message)
            } else if message.signalingProtocol == .whatsapp && message.waTimeline != nil {
                timeline.append(message)
            } else {
                others.append(message)
            }
        }
        guard !logs.isEmpty else { return WhatsAppMergeResult(messages: messages, diagnostics: [], joinedLogs: false) }
        resolveAckCalls(&logs, diagnostics: &diagnostics)
        WADeviceResolver.resolve(&logs, diagnostics: &diagnostics)
        WAClockAligner.align(&logs, diagnostics: &diagnostics)
        WACallClassifier.classify(&logs)
        logs += WAHopInference.inferredHops(logs)
        WAPcapPlacement.place(logs: &logs, timeline: &timeline, diagnostics: &diagnostics)
        return WhatsAppMergeResult(messages: others + logs + timeline, diagnostics: diagnostics, joinedLogs: true)
    }

    /// Acks name only the stanza id; the call id comes from the `<call>` (or `<receipt>`) with that
    /// id in any log. Acks of stanzas no log shows are dropped: they belong to no call.
    static func resolveAckCalls(_ messages: inout [SignalingMessage], diagnostics: inout [Diagnostic]) {
        var calls: [String: (callID: String, action: String)] = [:]
        for message in messages where message.waLog?.stanza != .ack {
            guard let id = message.waLog?.stanzaID, let action = message.waLog?.action else { continue }
            if calls[id] == nil { calls[id] = (message.callID, action) }
        }
        var dropped = 0
        messages = messages.compactMap { message in
            guard let ack = message.waLog, ack.stanza == .ack, message.callID.isEmpty else { return message }
            guard let id = ack.stanzaID, let known = calls[id] else {
                dropped += 1
                return nil
            }
            var resolved = message
            resolved.move(toCall: known.callID)
            if ack.action == nil {
                resolved.waLog?.action = known.action
                resolved.waLog?.actionFromOtherLog = true
                resolved.method = "call-\(known.action)"
            }
            return resolved
        }
        if dropped > 0 {
            diagnostics.append(
                Diagnostic(
                    .note, "whatsapp_ack_unmatched",
                    "\(dropped) call ack\(dropped == 1 ? "" : "s") for stanzas no log shows; not part of any call"))
        }
    }
}

extension SignalingMessage {
    /// The file name of the log a message was read from.
    var waLogName: String { waLog?.log ?? "log" }
    /// The device whose log shows the message.
    var waLogDevice: String? { waLog?.logDevice }
    /// The callee or caller device that sent it, and the one it is addressed to, by JID.
    var waSender: String? { senderDevice?.name }
    var waReceiver: String? { receiverDevice?.name }
}
