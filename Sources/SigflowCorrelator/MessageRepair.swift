import SigflowCore

/// What a call's messages say once read as transactions rather than as addresses: a response
/// belongs to the party its request went to, whatever address it comes from (a server that answers
/// from a sibling address of its cluster; RFC 3261 §17.1.3 matches responses by transaction).
enum MessageRepair {
    static func repaired(_ messages: [SignalingMessage]) -> [SignalingMessage] {
        var messages = messages
        routeResponsesByTransaction(&messages)
        return messages
    }

    /// Gives a response from an address its request never went to the lifeline of the party it
    /// did go to, when the request went to exactly one party and the response comes back to its
    /// sender.
    static func routeResponsesByTransaction(_ messages: inout [SignalingMessage]) {
        guard messages.contains(where: { $0.statusCode != nil }) else { return }
        // Per transaction: who sent the request, and the one party it went to (nil once several).
        var requests: [MessageKey: (sender: PartyKey, receiver: PartyKey?)] = [:]
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
}
