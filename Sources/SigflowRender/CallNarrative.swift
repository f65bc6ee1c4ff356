import SigflowCore

/// Words about a call, made from the neutral model alone: the document title, the summary, and what
/// each step means. Plain text: callers escape it for their format.
public struct CallNarrative {
    public let call: Call

    public init(_ call: Call) {
        self.call = call
    }

    var protocolName: String { call.signalingProtocol.displayName }

    /// "an XMPP call" (read letter by letter), "a SIP call" (read as a word).
    var protocolArticle: String { call.signalingProtocol.article }

    var callees: [Participant] { call.participants.filter { $0.role == .callee } }

    var devices: [Device] { call.participants.flatMap(\.devices) }

    var isForked: Bool { devices.count > 1 }

    /// The step that settled the call for the caller, as correlation decided it: the final answer or
    /// refusal, else the cancel, else the message that carries the outcome.
    var decisiveStep: CallStep? {
        if let settling = call.settling { return settling }
        if call.outcome == .cancelled { return call.steps.first { $0.message.kind == .cancel } }
        return call.steps.last { $0.message.outcome == call.outcome && !$0.message.ignoredByCaller }
    }

    /// The offer the call's timers count from: the caller's last attempt, after any challenge.
    var openingOffer: CallStep? {
        call.attemptStep.flatMap { number in call.steps.first { $0.number == number } }
            ?? call.steps.first { $0.message.kind == .offer }
    }

    public var title: String {
        guard call.isCall else {
            return "\(protocolName) \(call.method) exchange \(exchangeVerb)"
        }
        let label = decisiveLabel.map { " (\($0))" } ?? ""
        // Forking is SIP's word; other protocols simply ring every device of the user.
        let forkedNoun =
            isForked && call.signalingProtocol.forkedWord != nil
            ? "a \(call.signalingProtocol.forkedWord!) \(protocolName) call" : "\(protocolArticle) \(protocolName) call"
        let who = isForked ? "One of \(devices.count) callee devices" : "Callee"
        switch call.outcome {
        case .answered:
            let ender = hangupSender.map { " and ended by the \($0)" } ?? ""
            let answering = devices.filter { $0.outcome == .answered }.count
            return isForked
                ? "\(protocolName) call answered on \(answering > 1 ? String(answering) : "one") of "
                    + "\(devices.count) devices\(ender)"
                : "\(protocolName) call answered\(ender)"
        case .declined: return "\(who) declines \(forkedNoun)\(label)"
        case .busy: return "\(who) is busy: \(forkedNoun) is refused\(label)"
        case .rejected:
            return "\(protocolName) call refused" + (decisiveLabel.map { " with \($0)" } ?? "")
        case .cancelled: return "Caller cancels \(forkedNoun) before it is answered"
        case .redirected: return "\(protocolName) call redirected\(label)"
        case .unauthorized: return "\(protocolName) call refused for lack of credentials\(label)"
        case .timedOut: return "\(protocolName) call times out unanswered\(label)"
        case .incomplete: return "\(protocolName) call still open when the capture ends"
        default: return "\(protocolName) call \(call.outcome.phrase)\(label)"
        }
    }

    /// What happened to a REGISTER, OPTIONS, ... exchange, in words, naming the response that
    /// settled it when it failed.
    var exchangeVerb: String {
        let label = call.settling?.message.label
        switch call.outcome {
        case .answered: return "succeeds"
        case .incomplete
        where !call.steps.contains(where: { [.offer, .request].contains($0.message.kind) }):
            // Answers whose request the capture missed.
            guard let answer = call.steps.last(where: { $0.message.isDecision || $0.message.statusCode != nil })
            else { return "has no final response in the capture" }
            return "has no request in the capture (\(answer.message.label))"
        case .incomplete: return "has no final response in the capture"
        case .unauthorized: return "is refused for lack of credentials" + (label.map { " (\($0))" } ?? "")
        default: return label.map { "fails with \($0)" } ?? "fails (\(call.outcome.rawValue))"
        }
    }

    var decisiveLabel: String? {
        guard let step = decisiveStep, step.message.kind != .answer else { return nil }
        return step.message.label
    }

    /// Who sent the first hang-up after the answer, by role.
    var hangupSender: String? {
        guard let hangup = call.steps.first(where: { $0.message.kind == .hangup }),
            let participant = call.participant(id: hangup.from)
        else { return nil }
        switch participant.role {
        case .caller: return "caller"
        case .callee: return "callee"
        default: return participant.role.rawValue
        }
    }

    /// A short name for a lifeline in prose: `the caller`, `the proxy`, `device 2`.
    func name(_ id: String) -> String {
        guard let participant = call.participant(id: id) else { return id }
        switch participant.role {
        case .caller: return "the caller"
        case .proxy: return "the proxy"
        case .server: return "the server"
        case .peer: return participant.id
        case .callee:
            guard callees.count > 1, let index = callees.firstIndex(where: { $0.id == id }) else {
                return "the callee"
            }
            return "device \(index + 1)"
        }
    }

    func who(_ participant: Participant?) -> String {
        guard let participant else { return "someone" }
        return [participant.user, participant.endpoints.first?.description].compactMap { $0 }.first ?? participant.id
    }

    public var summary: String {
        var sentences: [String] = []
        let caller = call.caller
        guard call.isCall else {
            // What the client itself sent (a BYE outside any call too): a proxy's relayed copy and the
            // far end's NOTIFY are not its.
            let requests = call.steps.filter {
                ($0.message.kind == .request || $0.message.kind == .hangup) && $0.from == caller?.id
                    && $0.message.method == call.method
            }.count
            sentences.append(
                "\(who(caller).capitalizedFirst) sends \(requests) \(call.method) request\(requests == 1 ? "" : "s"); "
                    + "the exchange \(exchangeVerb)")
            return sentences.joined(separator: " ")
        }
        let relays = call.participants.filter { $0.role == .proxy || $0.role == .server }
        let offer = openingOffer
        let target = offer?.message.receiver.user ?? callees.compactMap(\.user).first
        var opening = "The caller (\(who(caller))) calls \(target ?? "the callee")"
        if !relays.isEmpty {
            opening +=
                " through "
                + relays.map { relay in
                    let address = relay.endpoints.first.map { " at \($0)" } ?? ""
                    return (relay.role == .proxy ? "a proxy" : relay.agent ?? "a server") + address
                }.joined(separator: " and ")
        }
        sentences.append(opening + ".")
        if let offer {
            let challenges = call.steps.filter {
                $0.message.kind == .challenge && $0.number < offer.number && $0.to == offer.from
            }
            if let challenge = challenges.last {
                sentences.append(
                    "\(name(challenge.from).capitalizedFirst) asks for credentials (\(challenge.message.label), step "
                        + "\(challenge.number)); the caller sends the \(offer.message.label) again with them "
                        + "(step \(offer.number)).")
            }
        }
        if devices.count > 1 {
            let fates = devices.enumerated().map { index, device in "device \(index + 1) \(device.outcome.phrase)" }
            sentences.append("The call rings \(devices.count) devices: " + fates.joined(separator: ", ") + ".")
        }
        // Said whatever then settles the call: the caller's own hang-up or timeout.
        if let unheard = call.steps.first(where: {
            $0.message.ignoredByCaller && $0.message.isDecision && call.participant(id: $0.to)?.role == .caller
        }) {
            let source = origin(of: unheard)
            sentences.append(
                "\(name(source.from).capitalizedFirst) refuses with \(unheard.message.label), which the caller "
                    + "does not understand: the refusal goes unheard.")
        }
        if let step = decisiveStep, let offer {
            let delay = CallNarrative.seconds(step.time.nanoseconds(since: offer.time))
            switch call.outcome {
            case .answered:
                sentences.append("\(name(origin(of: step).from).capitalizedFirst) answers \(delay) after the offer.")
            case .cancelled:
                sentences.append("The caller gives up \(delay) after the offer, before any answer.")
            default:
                let source = origin(of: step)
                let relayed = source.number != step.number ? " from \(name(source.from))" : ""
                sentences.append(
                    "The caller receives \(step.message.label)\(relayed) \(delay) after the offer: the call is \(call.outcome.phrase)."
                )
            }
        } else {
            sentences.append("The call is \(call.outcome.phrase).")
        }
        var timing: [String] = []
        if let delay = call.timing.postDialDelay { timing.append("post-dial delay \(CallNarrative.seconds(delay))") }
        if let duration = call.timing.duration { timing.append("talk time \(CallNarrative.seconds(duration))") }
        if !timing.isEmpty { sentences.append(timing.joined(separator: ", ").capitalizedFirst + ".") }
        let retransmitted = call.steps.filter { !$0.retransmissions.isEmpty }.count
        if retransmitted > 0 {
            sentences.append("\(retransmitted) step\(retransmitted == 1 ? " was" : "s were") retransmitted.")
        }
        if !call.findings.isEmpty {
            sentences.append(
                "sigflow flags \(call.findings.count) rule violation\(call.findings.count == 1 ? "" : "s") (see Findings)."
            )
        }
        return sentences.joined(separator: " ")
    }

    /// Where a relayed decision came from: the earliest step with the same label sent by a callee
    /// before it, or the step itself.
    func origin(of step: CallStep) -> CallStep {
        call.steps.first { candidate in
            candidate.number <= step.number && candidate.message.label == step.message.label
                && candidate.message.kind == step.message.kind && call.participant(id: candidate.from)?.role == .callee
        } ?? step
    }

    /// What one step means, for the steps table and notes.
    public func meaning(of step: CallStep) -> String {
        let message = step.message
        let from = name(step.from)
        let to = name(step.to)
        let fromRole = call.participant(id: step.from)?.role
        let relayed = fromRole == .proxy || fromRole == .server
        var text: String
        switch message.kind {
        case .offer:
            text =
                fromRole == .caller
                ? "The caller places the call" : "\(from.capitalizedFirst) passes the offer on to \(to)"
        case .update:
            text =
                relayed
                ? "\(from.capitalizedFirst) passes the session update on to \(to)"
                : "\(from.capitalizedFirst) updates the session"
        case .progress:
            text = "\(from.capitalizedFirst) is working on the request"
        case .ringing:
            text =
                relayed
                ? "\(from.capitalizedFirst) relays that a device is ringing" : "\(from.capitalizedFirst) is ringing"
        case .answer:
            text = relayed ? "\(from.capitalizedFirst) relays the answer" : "\(from.capitalizedFirst) answers"
        case .confirm:
            text = "\(from.capitalizedFirst) acknowledges the final response"
        case .select:
            text =
                relayed
                ? "\(from.capitalizedFirst) tells \(to) which answer the caller keeps"
                : "\(from.capitalizedFirst) picks the answer to keep"
        case _
        where relayed && message.kind != .cancel && message.elsewhere != nil
            && call.participant(id: step.to)?.role == .callee:
            let settled = message.elsewhere == .answered ? "answered" : "declined"
            text =
                "\(from.capitalizedFirst) passes \(message.label) on to \(to), which stops ringing: \(settled) on another device"
        case .reject where message.ignoredByCaller && call.participant(id: step.to)?.role == .caller:
            text = "\(from.capitalizedFirst) passes \(message.label) on to the caller, which does not understand it"
        case .reject:
            let verb: String
            switch message.outcome {
            case .busy: verb = "is busy"
            case .declined: verb = "declines"
            case .cancelled: verb = "confirms the request was cancelled"
            case .timedOut: verb = "gives up waiting"
            default: verb = "rejects the call"
            }
            text =
                relayed
                ? "\(from.capitalizedFirst) relays the refusal: the call \(verbPast(verb))"
                : "\(from.capitalizedFirst) \(verb)"
        case .redirect:
            text = "\(from.capitalizedFirst) redirects the call"
        case .challenge:
            text = "\(from.capitalizedFirst) asks for credentials"
        case .cancel:
            switch message.elsewhere {
            case .answered: text = "\(from.capitalizedFirst) cancels \(to): answered on another device"
            case .declined: text = "\(from.capitalizedFirst) cancels \(to): declined on another device"
            case nil:
                text =
                    fromRole == .caller
                    ? "The caller cancels the call" : "\(from.capitalizedFirst) cancels the call towards \(to)"
            }
        case .hangup:
            let ending = message.outcome == .timedOut ? "the end of the unanswered call" : "the hang-up"
            text =
                relayed
                ? "\(from.capitalizedFirst) passes \(ending) on to \(to)"
                : message.outcome == .timedOut
                    ? "\(from.capitalizedFirst) ends the unanswered call" : "\(from.capitalizedFirst) hangs up"
        case .candidates:
            text =
                relayed
                ? "\(from.capitalizedFirst) passes media candidates on to \(to)"
                : "\(from.capitalizedFirst) sends media candidates"
        case .acknowledgement:
            text = "\(from.capitalizedFirst) confirms the \(message.method ?? "request")"
        case .request:
            text = "\(from.capitalizedFirst) sends \(message.label)"
        case .response:
            text = "\(from.capitalizedFirst) answers \(message.method ?? "the request") with \(message.label)"
        case .media, .other:
            text = message.label
        }
        if !step.retransmissions.isEmpty { text += " (sent \(1 + step.retransmissions.count) times)" }
        if message.confidence == .inferred { text += "; inferred, not seen" }
        return ([text] + message.notes).joined(separator: "; ")
    }

    private func verbPast(_ verb: String) -> String {
        switch verb {
        case "is busy": return "is refused as busy"
        case "declines": return "is declined"
        case "confirms the request was cancelled": return "was cancelled"
        case "gives up waiting": return "timed out"
        default: return "is rejected"
        }
    }

    /// What the capture could not settle, for the document's last section.
    public var openQuestions: [String] {
        var questions = call.openQuestions
        if call.outcome == .incomplete {
            questions.append("The capture ends before the call does: its outcome is unknown.")
        }
        let inferred = call.steps.filter { $0.message.confidence == .inferred }.map(\.number)
        if !inferred.isEmpty {
            questions.append(
                "Steps \(inferred.map(String.init).joined(separator: ", ")) are inferred, not seen in the evidence.")
        }
        if call.isCall, callees.isEmpty, call.participants.contains(where: { $0.role == .proxy || $0.role == .server })
        {
            questions.append(
                "The capture does not show the far side of the proxy: which devices rang behind it is known only from the responses it relayed."
            )
        }
        return questions
    }

    static func seconds(_ nanoseconds: Int64) -> String {
        MermaidRenderer.seconds(Double(nanoseconds) / 1e9)
    }
}

extension String {
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
