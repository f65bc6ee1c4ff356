import SigflowCore

/// How SIP calls live and end (RFC 3261): transactions retransmit for 64×T1, an INVITE without a
/// final response times out after Timer B, an exchange that is not a call settles on its final
/// response, and a caller that acknowledges a 2xx was answered even when the capture lacks it.
public struct SIPCallPolicy: CallPolicy {
    public var signalingProtocol: SignalingProtocol { .sip }
    public var callWord: String { "INVITE" }

    public init() {}

    /// REGISTER, OPTIONS, MESSAGE ...: the first success settles it, else the last final response
    /// that was not a challenge answered by the request again.
    public func settleExchange(_ steps: [CallStep], retried: Set<Int>) -> (step: CallStep?, outcome: CallOutcome) {
        guard steps.contains(where: { $0.message.statusCode == nil }) else { return (nil, .incomplete) }
        let finals = steps.filter { ($0.message.statusCode ?? 0) >= 200 && !retried.contains($0.number) }
        guard let settling = finals.first(where: { (200..<300).contains($0.message.statusCode!) }) ?? finals.last
        else { return (nil, .incomplete) }
        switch settling.message.statusCode! {
        case 200..<300: return (settling, .answered)
        case 300..<400: return (settling, .redirected)
        case 401, 407: return (settling, .unauthorized)
        case 408: return (settling, .timedOut)
        default: return (settling, .rejected)
        }
    }

    public func prepare(_ calls: [[SignalingMessage]]) -> PreparedCalls {
        PreparedCalls(
            calls: calls.map { messages in
                var messages = messages
                Self.joinProxySockets(&messages)
                guard let answer = Self.inferredAnswer(messages) else { return messages }
                let index = messages.firstIndex { $0.stamp.time > answer.stamp.time } ?? messages.endIndex
                messages.insert(answer, at: index)
                return messages
            })
    }

    /// Draws a proxy that receives on one socket and sends from another (a WebSocket listener and
    /// its UDP socket, the ephemeral ports of its outgoing TCP and TLS connections) as one lifeline:
    /// a request whose second Via branch is the top branch of a request that arrived at some party
    /// was forwarded by that party (RFC 3261 §16.6 step 8), so its sender is that party. Messages
    /// keep their real endpoints; only the lifeline they are drawn on changes.
    static func joinProxySockets(_ messages: inout [SignalingMessage]) {
        var arrivedAt: [MessageKey: PartyKey] = [:]
        for message in messages {
            if let branch = message.sip?.branchKey, arrivedAt[branch] == nil {
                arrivedAt[branch] = message.receiver.key
            }
        }
        guard !arrivedAt.isEmpty else { return }
        var alias: [PartyKey: PartyKey] = [:]
        for message in messages {
            guard let upstream = message.sip?.upstreamBranchKey, var proxy = arrivedAt[upstream] else { continue }
            while let next = alias[proxy], next != proxy { proxy = next }
            if proxy != message.sender.key && alias[message.sender.key] == nil { alias[message.sender.key] = proxy }
        }
        guard !alias.isEmpty else { return }
        func resolved(_ key: PartyKey) -> PartyKey {
            var key = key
            var steps = 0
            while let next = alias[key], next != key, steps < alias.count {
                key = next
                steps += 1
            }
            return key
        }
        for index in messages.indices {
            let (sender, receiver) = (resolved(messages[index].sender.key), resolved(messages[index].receiver.key))
            if sender != messages[index].sender.key { messages[index].sender.key = sender }
            if receiver != messages[index].receiver.key { messages[index].receiver.key = receiver }
        }
    }

    public var rules: [any CallRule] {
        [
            SIPAnswerAfterDeclineRule(), SIPDeclineForwardedWithPendingBranchesRule(), SIPBranchAfterDeclineRule(),
            SIPDeclineNotChosenRule(), SIPAnswerAfterCancelAcceptedRule(), SIPTerminatedWithoutCancelRule(),
            SIPCancelBeforeProvisionalRule(), SIPCancelAfterFinalRule(), SIPCancelMismatchRule(),
            SIPCompletedElsewhereWithoutAnswerRule(), SIPRingsAfterCompletedElsewhereRule(), SIPByeOnEarlyDialogRule(),
            SIPByeBeforeAckRule(), SIPAckMismatchRule(), SIPFinalNeverAckedRule(), SIPRejectWithoutInviteRule(),
            SIPUnwantedDialogRule(), SIPMediaAfterEndRule(), SIPDeclineWhileOthersRingRule(), SIPCancelTagsDifferRule(),
            SIPShortBodyRule(), SIPNoSuchDialogRule(),
        ]
    }

    /// The answer a caller evidently got: its last INVITE has no 2xx back to it, but it then sent
    /// the ACK of a 2xx (an ACK outside every INVITE's transaction: RFC 3261 §13.2.2.4 sends it end
    /// to end with a new branch) and later hung up. Drawn on the INVITE's hop, just after the 2xx
    /// seen further on (or just before the ACK), marked inferred.
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
        let detail: any MessageDetail
        if let seen = seen?.sip, let request = offer.sip {
            detail = SIPDetail(
                startLine: seen.startLine, cseqNumber: request.cseqNumber, cseqMethod: request.cseqMethod,
                branch: request.branch, fromTag: request.fromTag, toTag: confirm.sip?.toTag, bodyShortBy: 0,
                missingBytes: 0, truncatedHeaders: false, message: nil, sdp: nil)
        } else {
            detail = PlainDetail(label: "2xx")
        }
        var answer = SignalingMessage(
            call: offer.call, callID: offer.callID, kind: .answer, method: offer.method,
            statusCode: seen?.statusCode, sender: offer.receiver, receiver: offer.sender, stamp: confirm.stamp,
            transport: offer.transport, confidence: .inferred,
            identity: MessageKey(tag: 0x696e_6665_7272_6564, text: String(offer.identity.value)),
            transaction: offer.transaction, dialog: confirm.dialog, senderDevice: confirm.receiverDevice,
            receiverDevice: offer.senderDevice, outcome: .answered, detail: detail)
        answer.sender.agent = nil
        answer.annotations = ["not in the capture: the caller acknowledged an answer and later hung up"]
        answer.stamp.time =
            seen.map { min($0.stamp.time.adding(nanoseconds: 1), confirm.stamp.time.adding(nanoseconds: -1)) }
            ?? confirm.stamp.time.adding(nanoseconds: -1)
        return answer
    }
}
