import SigflowCore

/// What a call's messages say once read as transactions rather than as addresses, applied before
/// the messages become steps:
/// - a response belongs to the party its request went to, whatever address it comes from (a server
///   that answers from a sibling address of its cluster, RFC 3261 §17.1.3 matches by transaction);
/// - a caller that acknowledges an answer end to end and later hangs up got that answer, even when
///   the capture lacks it on the caller's hop (a capture filter, a lost packet): it is added as an
///   inferred step.
enum MessageRepair {
    static func repaired(_ messages: [SignalingMessage]) -> [SignalingMessage] {
        var messages = messages
        routeResponsesByTransaction(&messages)
        if let answer = inferredAnswer(messages) {
            let index = messages.firstIndex { $0.stamp.time > answer.stamp.time } ?? messages.endIndex
            messages.insert(answer, at: index)
        }
        return messages
    }

    /// Gives a response from an address its request never went to the lifeline of the party it
    /// did go to, when the request went to exactly one party and the response comes back to its
    /// sender.
    static func routeResponsesByTransaction(_ messages: inout [SignalingMessage]) {
        guard messages.contains(where: { $0.statusCode != nil }) else { return }
        // Per transaction: who sent the request, and the one party it went to (nil once several).
        var requests: [String: (sender: String, receiver: String?)] = [:]
        for message in messages where message.statusCode == nil {
            guard let transaction = message.transaction else { continue }
            if let known = requests[transaction] {
                if known.receiver != message.receiver.key || known.sender != message.sender.key {
                    requests[transaction] = (known.sender, nil)
                }
            } else {
                requests[transaction] = (message.sender.key, message.receiver.key)
            }
        }
        let receivers = Set(requests.values.compactMap(\.receiver))
        for index in messages.indices where messages[index].statusCode != nil {
            guard let transaction = messages[index].transaction, let request = requests[transaction],
                let receiver = request.receiver, messages[index].receiver.key == request.sender,
                messages[index].sender.key != receiver, !receivers.contains(messages[index].sender.key)
            else { continue }
            messages[index].sender.key = receiver
        }
    }

    /// The answer a caller evidently got: its last offer has no answer back to it, but it then
    /// confirmed an answer end to end (a confirm outside every offer's transaction: SIP sends the
    /// ACK of a 2xx with a new branch, RFC 3261 §13.2.2.4) and later hung up. Drawn on the offer's
    /// hop, just after the answer seen further on (or just before the confirm), marked inferred.
    static func inferredAnswer(_ messages: [SignalingMessage]) -> SignalingMessage? {
        guard
            let callerKey =
                (messages.first { $0.kind == .offer && !$0.sender.isServer }
                ?? messages.first { $0.kind == .offer })?.sender.key,
            let offerIndex = messages.lastIndex(where: { $0.kind == .offer && $0.sender.key == callerKey })
        else { return nil }
        let offer = messages[offerIndex]
        let offerTransactions = Set(messages.filter { $0.kind == .offer }.compactMap(\.transaction))
        let later = messages[offerIndex...]
        guard
            !later.contains(where: { $0.kind == .answer && $0.receiver.key == callerKey }),
            let confirm = later.first(where: {
                $0.kind == .confirm && $0.sender.key == callerKey
                    && !($0.transaction.map(offerTransactions.contains) ?? true)
            }),
            messages.contains(where: {
                $0.kind == .hangup && $0.sender.key == callerKey && $0.stamp.time >= confirm.stamp.time
            })
        else { return nil }
        // The answer as seen on another hop (a callee's 2xx to the proxy), when the capture has it.
        let seen = later.last { $0.kind == .answer && $0.stamp.time <= confirm.stamp.time }
        var answer = SignalingMessage(
            signalingProtocol: offer.signalingProtocol, callID: offer.callID, kind: .answer,
            label: seen?.label ?? "answer", headline: "", method: offer.method, statusCode: seen?.statusCode,
            sender: offer.receiver, receiver: offer.sender, stamp: confirm.stamp, transport: offer.transport,
            confidence: .inferred, identity: "inferred-answer|" + (offer.transaction ?? offer.identity),
            transaction: offer.transaction, dialog: confirm.dialog, senderDevice: confirm.receiverDevice,
            receiverDevice: offer.senderDevice, outcome: .answered,
            notes: ["not in the capture: the caller acknowledged an answer and later hung up"])
        answer.sender.agent = nil
        answer.stamp.time =
            seen.map { min($0.stamp.time.adding(nanoseconds: 1), confirm.stamp.time.adding(nanoseconds: -1)) }
            ?? confirm.stamp.time.adding(nanoseconds: -1)
        return answer
    }
}
