import SigflowCore

/// A SIP step with the header fields rules compare, from its SIP detail. A class: rules filter and
/// pass these around a lot, and copying the whole step each time is what costs.
final class SIPStep {
    let step: CallStep
    let cseq: UInt32?
    let cseqMethod: String?
    let branch: String?
    let fromTag: String?
    let toTag: String?
    let status: Int?
    let method: String?
    let detail: SIPDetail?

    init(_ step: CallStep) {
        self.step = step
        detail = step.message.sip
        cseq = detail?.cseqNumber
        cseqMethod = detail?.cseqMethod
        branch = detail?.branch
        fromTag = detail?.fromTag
        toTag = detail?.toTag
        status = step.message.statusCode
        method = detail?.requestMethod
    }

    var number: Int { step.number }
    var from: String { step.from }
    var to: String { step.to }
    var time: CaptureTime { step.time }
    var isRequest: Bool { detail?.isRequest ?? false }

    func isRequest(_ name: String) -> Bool { method == name }

    /// A response to an INVITE (by CSeq).
    var isInviteResponse: Bool { status != nil && cseqMethod == "INVITE" }
    var isProvisional: Bool { (status ?? 0) < 200 && status != nil }
    var isFinal: Bool { (status ?? 0) >= 200 }
}

/// The SIP view of a call that rules share: its steps with their SIP fields, and the matching of
/// responses to requests per hop (RFC 3261 §17.1.3: top Via branch and CSeq method).
struct SIPCallView {
    let call: Call
    let steps: [SIPStep]

    init(_ call: Call) {
        self.call = call
        steps = call.steps.map(SIPStep.init)
        invites = steps.filter { $0.step.message.kind == .offer && $0.isRequest("INVITE") }
    }

    /// INVITE requests that open or fork the call (not re-INVITEs).
    let invites: [SIPStep]

    /// Responses to `request` on its hop: sent back the way it came, with its branch and CSeq.
    func responses(to request: SIPStep, method: String? = nil) -> [SIPStep] {
        steps.filter { step in
            step.status != nil && step.from == request.to && step.to == request.from && step.branch == request.branch
                && step.cseq == request.cseq && step.cseqMethod == (method ?? request.method)
        }
    }

    /// Requests of `method` sent on the same hop as `invite`, for the same INVITE (CSeq number).
    func requests(_ method: String, onHopOf invite: SIPStep) -> [SIPStep] {
        steps.filter { $0.isRequest(method) && $0.from == invite.from && $0.to == invite.to && $0.cseq == invite.cseq }
    }

    func role(of id: String) -> ParticipantRole? { call.participant(id: id)?.role }

    /// Forks: INVITEs a proxy sent downstream, grouped by the proxy and the upstream INVITE they relay.
    var forksByProxy: [(proxy: String, upstream: SIPStep, branches: [SIPStep])] {
        var result: [(String, SIPStep, [SIPStep])] = []
        for upstream in invites where role(of: upstream.to) == .proxy {
            let branches = invites.filter {
                $0.from == upstream.to && $0.time >= upstream.time && $0.to != upstream.from
            }
            if !branches.isEmpty { result.append((upstream.to, upstream, branches)) }
        }
        return result
    }

    /// The device keys (To tags) that answered or refused the call on any hop.
    var deviceTags: Set<String> {
        Set(steps.filter { $0.isInviteResponse && $0.status != 100 }.compactMap(\.toTag))
    }
}

extension Int {
    var isSixHundred: Bool { (600..<700).contains(self) }
    var isSuccess: Bool { (200..<300).contains(self) }
}
