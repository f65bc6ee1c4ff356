import SigflowCore

/// Settles what a stanza means where that depends on the rest of the call, once all logs are on one
/// clock:
/// - the call's creator is the `call-creator` of its offer (else the device that sent the offer);
/// - a `<reject>` from the creator's own device withdraws the call: a cancel (rule W8 flags it);
/// - a `<terminate>` without reason is a hang-up after an accept, and before any accept a cancel when
///   the creator sends it;
/// - `accepted_elsewhere` / `rejected_elsewhere` tell a ringing device the call was settled on
///   another one. The sender's hop (device -> server) is a request to dismiss that device, not a
///   cancel of the call; the delivery is the cancel, with the elsewhere hint. Sent to a device that had already accepted or refused (a busy device, or the
///   answerer itself, rule W6), the hint does not apply: the device's own decision stands.
enum WACallClassifier {
    static func classify(_ messages: inout [SignalingMessage]) {
        let byCall = Dictionary(grouping: messages.indices, by: { messages[$0].callID })
        for (_, indices) in byCall {
            let creator = creatorDevice(indices.map { messages[$0] })
            // Decisions by device, with the earliest time each was seen.
            var decisions: [(device: String, action: String, time: CaptureTime)] = []
            for index in indices {
                let message = messages[index]
                guard let detail = message.waLog, detail.stanza == .call, let action = detail.action,
                    ["accept", "reject"].contains(action), let device = message.waSender
                else { continue }
                decisions.append((device, action, message.stamp.time))
            }
            let firstAccept = decisions.filter { $0.action == "accept" }.map(\.time).min()
            for index in indices {
                guard let detail = messages[index].waLog, detail.stanza == .call else { continue }
                var message = messages[index]
                let time = message.stamp.time
                switch detail.action {
                case "reject" where creator != nil && message.waSender == creator:
                    message.kind = .cancel
                    message.outcome = .cancelled
                    message.annotations.append("sent by the call's creator: withdraws the call")
                case "terminate" where message.elsewhere != nil || detail.reason?.hasSuffix("_elsewhere") == true:
                    // The sender's hop asks the server to dismiss one device: a request, not a cancel of the call.
                    if detail.direction == .send { message.kind = .request }
                    if let target = message.waReceiver,
                        let own = decisions.first(where: { $0.device == target && $0.time <= time })
                    {
                        message.elsewhere = nil
                        message.annotations.append(
                            own.action == "accept"
                                ? "sent to the device that answered" : "the device had already refused")
                    }
                case "terminate" where message.outcome == nil:
                    if let firstAccept, firstAccept <= time {
                        message.kind = .hangup
                    } else if creator != nil && message.waSender == creator {
                        message.kind = .cancel
                        message.outcome = .cancelled
                    }
                default:
                    break
                }
                messages[index] = message
            }
        }
    }

    /// The device that created the call.
    static func creatorDevice(_ messages: [SignalingMessage]) -> String? {
        let offers = messages.filter { $0.waLog?.stanza == .call && $0.waLog?.action == "offer" }
        if let creator = offers.lazy.compactMap({ WAParty.deviceKey($0.waLog?.callCreator) }).first {
            return creator
        }
        if let sender = offers.first(where: { $0.waLog?.direction == .send })?.waSender { return sender }
        var counts: [String: Int] = [:]
        for message in messages {
            if let creator = WAParty.deviceKey(message.waLog?.callCreator) { counts[creator, default: 0] += 1 }
        }
        return counts.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key
    }
}
