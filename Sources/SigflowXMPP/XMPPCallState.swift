import SigflowCore

/// What the decoder remembers about one call (JMI id = Jingle sid) to decide what each stanza means
/// when it is first seen: the same stanza's send and deliveries then agree.
struct XMPPCallState {
    enum Session: String {
        /// No session-initiate seen.
        case none
        /// XEP-0166 PENDING: initiated, not accepted.
        case pending
        /// ACTIVE: accepted.
        case active
        /// ENDED: terminated (or refused with an IQ error).
        case ended
    }

    /// Who sent the propose (full JID).
    var proposer: String?
    /// The first user-wide decision of the called user: who made it and what it was.
    var decision: (device: String, hint: ElsewhereHint, label: String)?
    /// JMI elements that close the proposal (reject, retract) already seen.
    var closedBy: String?
    var session = Session.none
    var initiator: String?
    var responder: String?
    /// Meaning decided for each stanza when first seen, by origin + stanza id + element.
    var meanings: [String: XMPPMeaning] = [:]
    /// Stanzas whose content notes (media, candidates, reason text) are already on a step: the
    /// other hops of the same stanza show only what is particular to them.
    var described: Set<String> = []

    /// What a stanza means for the call, given everything before it; updates the state.
    mutating func meaning(of stanza: XMPPCallStanza, origin: String, answering action: String?) -> XMPPMeaning {
        switch stanza.payload {
        case .jingleMessage: return jingleMessage(stanza, origin: origin)
        case .jingle: return jingle(stanza, origin: origin)
        case .answer: return answer(stanza, origin: origin, action: action ?? "?")
        }
    }

    private mutating func jingleMessage(_ stanza: XMPPCallStanza, origin: String) -> XMPPMeaning {
        let label = XMPPMeaning.label(stanza)
        switch stanza.element {
        case "propose":
            if proposer == nil { proposer = origin }
            return XMPPMeaning(kind: .offer, label: label)
        case "ringing":
            return XMPPMeaning(kind: .ringing, label: label)
        case "proceed", "accept":
            // Accepts the proposal on one device, for the Jingle session that follows: not yet an
            // answer (that session can still be declined), not a provisional response either.
            var meaning = XMPPMeaning(kind: .other, label: label)
            meaning.notes.append("accepted on \(JID.short(origin))")
            if let decision, decision.device != origin {
                meaning.notes.append("contradicts the earlier \(decision.label) from \(JID.short(decision.device))")
            } else if decision == nil && !sameUser(origin, proposer) {
                decision = (origin, .answered, label)
                meaning.settles = .answered
            }
            return meaning
        case "reject":
            var meaning = XMPPMeaning(
                kind: .reject, label: label, outcome: Self.proposalRefusal(stanza.reason, stanza.tieBreak))
            if let note = Self.rejectReasonNote(stanza.reason, stanza.tieBreak) { meaning.notes.append(note) }
            if let decision, decision.device != origin {
                meaning.notes.append("contradicts the earlier \(decision.label) from \(JID.short(decision.device))")
            } else if decision == nil {
                decision = (origin, .declined, label)
                meaning.settles = .declined
            }
            closedBy = closedBy ?? "reject"
            return meaning
        case "retract":
            closedBy = closedBy ?? "retract"
            return XMPPMeaning(
                kind: .cancel, label: label, outcome: stanza.reason == "timeout" ? .timedOut : .cancelled)
        case "finish":
            return XMPPMeaning(kind: .hangup, label: label)
        default:
            return XMPPMeaning(kind: .other, label: label)
        }
    }

    private mutating func jingle(_ stanza: XMPPCallStanza, origin: String) -> XMPPMeaning {
        let label = XMPPMeaning.label(stanza)
        let before = session
        var meaning = XMPPMeaning(kind: .other, label: label)
        meaning.session = before.rawValue
        if before == .ended && stanza.element != "session-initiate" {
            meaning.notes.append("after session-terminate: the session no longer exists")
            return meaning
        }
        switch stanza.element {
        case "session-initiate":
            meaning.kind = .offer
            if before != .none { meaning.notes.append("the session already exists (\(before.rawValue))") }
            session = .pending
            initiator = stanza.initiator ?? origin
        case "session-accept":
            if before == .active {
                meaning.notes.append(
                    "the session was already accepted" + (responder.map { " by \(JID.short($0))" } ?? ""))
            } else {
                meaning.kind = .answer
                meaning.outcome = .answered
                session = .active
                responder = stanza.responder ?? origin
            }
        case "session-terminate":
            switch before {
            case .active:
                meaning.kind = .hangup
            case .pending where origin == initiator:
                meaning.kind = .cancel
                meaning.outcome = stanza.reason == "timeout" ? .timedOut : .cancelled
            case .pending:
                meaning.kind = .reject
                meaning.outcome = Self.refusal(stanza.reason, stanza.tieBreak)
            default:
                meaning.kind = .hangup
            }
            session = .ended
        case "session-info":
            if stanza.info == "ringing" { meaning.kind = .ringing }
        case "transport-info", "transport-replace", "transport-accept", "transport-reject":
            meaning.kind = .candidates
        case "content-add", "content-accept", "content-modify", "content-reject", "content-remove",
            "description-info", "security-info":
            meaning.kind = .update
        default:
            break
        }
        return meaning
    }

    private mutating func answer(_ stanza: XMPPCallStanza, origin: String, action: String) -> XMPPMeaning {
        var meaning = XMPPMeaning(kind: .acknowledgement, label: XMPPMeaning.answerLabel(stanza, action: action))
        guard stanza.element == "error", action == "session-initiate", session == .pending else { return meaning }
        // The responder refuses the session with an IQ error instead of acknowledging it.
        meaning.kind = .reject
        if stanza.errors.contains("redirect") || stanza.errors.contains("gone") {
            meaning.outcome = .redirected
        } else if stanza.errors.contains("resource-constraint") {
            meaning.outcome = .busy
        } else {
            meaning.outcome = .rejected
        }
        session = .ended
        return meaning
    }

    private func sameUser(_ a: String, _ b: String?) -> Bool { b.map { JID.bare($0) == JID.bare(a) } ?? false }

    /// What a JMI `<reject>` means. XEP-0353 §3 tells every client to decline with `<busy/>`, which
    /// hides why, and Conversations, Dino and Movim send no reason at all: both are the user's
    /// decline, as is an explicit `<decline/>`. Only other reasons change the outcome: `<expired/>`
    /// (with `<tie-break/>`, the losing side of a glare, XEP-0353 §3.4) and the rest.
    static func proposalRefusal(_ reason: String?, _ tieBreak: Bool) -> CallOutcome {
        if tieBreak { return .rejected }
        switch reason {
        case nil, "busy", "decline": return .declined
        case "expired", "timeout": return .timedOut
        case "alternative-session": return .redirected
        default: return .rejected
        }
    }

    /// What the reason a `<reject>` gave means, where the label does not say it.
    static func rejectReasonNote(_ reason: String?, _ tieBreak: Bool) -> String? {
        if tieBreak { return "with <tie-break/>: this proposal lost a glare" }
        switch reason {
        case nil: return "no reason given: a decline"
        case "busy": return "<busy/> is a decline: XEP-0353 asks clients to send it for every decline"
        default: return nil
        }
    }

    /// The outcome a callee's refusal means, from its reason condition.
    static func refusal(_ reason: String?, _ tieBreak: Bool) -> CallOutcome {
        switch reason {
        case "busy": return .busy
        case nil, "decline", "cancel", "success": return .declined
        case "timeout": return .timedOut
        case "alternative-session": return .redirected
        default: return .rejected
        }
    }
}

/// What one stanza means for its call, decided once.
struct XMPPMeaning {
    var kind: MessageKind
    var label: String
    var outcome: CallOutcome?
    /// For a user-wide decision: what it tells the user's other devices.
    var settles: ElsewhereHint?
    /// What the stanza means here, for every hop of it.
    var notes: [String] = []
    /// The Jingle session state before the stanza.
    var session: String?

    init(kind: MessageKind, label: String, outcome: CallOutcome? = nil) {
        self.kind = kind
        self.label = label
        self.outcome = outcome
    }

    /// `reject <decline/>`, `session-terminate <success/>`, `session-info <ringing/>`: the JMI element or
    /// Jingle action, then the reason condition or session-info payload as written. The element name
    /// goes bare so that expected-flow templates can name it in Mermaid without escaping.
    static func label(_ stanza: XMPPCallStanza) -> String {
        if let detail = stanza.reason ?? stanza.info { return "\(stanza.element) <\(detail)/>" }
        return stanza.element
    }

    /// `result (session-initiate)`, `error (session-accept): item-not-found, unknown-session`.
    static func answerLabel(_ stanza: XMPPCallStanza, action: String) -> String {
        let head = "\(stanza.element) (\(action))"
        return stanza.errors.isEmpty ? head : head + ": " + stanza.errors.joined(separator: ", ")
    }
}
