import SigflowCore

/// Builds one `Call` from its steps: who took part and in which role, which devices rang, and how
/// the call and each device ended.
struct CallAssembler {
    let steps: [UnnumberedStep]
    let captureEnd: CaptureTime?

    /// SIP Timer B (64*T1): an INVITE without a final response for this long has timed out. Other
    /// protocols signal their own timeouts explicitly.
    static let offerTimeout: Int64 = 32_000_000_000

    func call(_ key: CallCorrelator.CallKey) -> Call {
        let roles = RoleInference(steps: steps)
        let participants = roles.participants
        let idByParty = Dictionary(uniqueKeysWithValues: participants.map { ($0.partyKey, $0.id) })
        let numbered = steps.enumerated().map { index, step in
            CallStep(
                number: index + 1, message: step.message, from: idByParty[step.message.sender.key]!,
                to: idByParty[step.message.receiver.key]!, time: step.time, sightings: step.sightings,
                retransmissions: step.retransmissions)
        }
        let callerID = participants.first { $0.role == .caller }?.id
        let outcome = isCall ? callOutcome(numbered, callerID: callerID) : exchangeOutcome(numbered)
        var finished = participants
        if isCall {
            assignDevices(&finished, steps: numbered, callOutcome: outcome)
        }
        for index in finished.indices {
            switch finished[index].role {
            case .caller: finished[index].outcome = outcome
            case .callee:
                finished[index].outcome = finished[index].devices.count == 1 ? finished[index].devices[0].outcome : nil
            default: break
            }
        }
        return Call(
            signalingProtocol: key.signalingProtocol,
            callID: key.callID,
            linkedCallIDs: [],
            method: steps.first { $0.message.method != nil }?.message.method ?? key.signalingProtocol.callWord,
            participants: finished,
            steps: numbered,
            outcome: outcome,
            timing: timing(numbered, callerID: callerID))
    }

    var isCall: Bool { steps.contains { $0.message.kind == .offer } }

    /// The offers the caller sent, latest last; decisions on the last one settle the call (an offer
    /// challenged for credentials and sent again is settled by the second).
    private func callerOffers(_ steps: [CallStep], callerID: String?) -> [CallStep] {
        steps.filter { $0.message.kind == .offer && $0.from == callerID }
    }

    /// Decisions the caller received on its last offer.
    private func decisionsForCaller(_ steps: [CallStep], callerID: String?) -> [CallStep] {
        let offers = callerOffers(steps, callerID: callerID)
        let transaction = offers.last?.message.transaction
        return steps.filter { step in
            step.message.isDecision && (callerID == nil || step.to == callerID)
                && (transaction == nil || step.message.transaction == nil || step.message.transaction == transaction)
        }
    }

    func callOutcome(_ steps: [CallStep], callerID: String?) -> CallOutcome {
        let decisions = decisionsForCaller(steps, callerID: callerID)
        if decisions.contains(where: { $0.message.kind == .answer }) { return .answered }
        if let last = decisions.last, let outcome = last.message.outcome { return outcome }
        let callerCancelled = steps.contains { $0.message.kind == .cancel && (callerID == nil || $0.from == callerID) }
        if let timeout = steps.first(where: { $0.message.outcome == .timedOut }) {
            return timeout.message.kind == .cancel || timeout.message.kind == .hangup || !callerCancelled
                ? .timedOut : .cancelled
        }
        if callerCancelled { return .cancelled }
        // A decline or hang-up the protocol sends as a message other than a final response (Matrix v0
        // hang-up, a callee's hang-up before any answer).
        if let refusal = steps.last(where: {
            $0.message.kind == .hangup && $0.message.outcome != nil && $0.from != callerID
        }) {
            return refusal.message.outcome!
        }
        if let offer = callerOffers(steps, callerID: callerID).first
            ?? steps.first(where: { $0.message.kind == .offer }),
            let end = captureEnd, end.nanoseconds(since: offer.time) >= Self.offerTimeout
        {
            return .timedOut
        }
        return .incomplete
    }

    /// REGISTER, OPTIONS, MESSAGE and other exchanges: completed on a success, failed on an error
    /// (a challenge answered by a new request does not count).
    func exchangeOutcome(_ steps: [CallStep]) -> CallOutcome {
        let finals = steps.filter { ($0.message.statusCode ?? 0) >= 200 }
        if finals.contains(where: { (200..<300).contains($0.message.statusCode!) }) { return .completed }
        return finals.isEmpty ? .incomplete : .failed
    }

    func timing(_ steps: [CallStep], callerID: String?) -> CallTiming {
        guard let first = steps.first, let last = steps.last else {
            return CallTiming(start: .zero, end: .zero)
        }
        var timing = CallTiming(start: first.time, end: last.time)
        guard let offer = steps.first(where: { $0.message.kind == .offer }) else { return timing }
        if let ringing = steps.first(where: { $0.message.kind == .ringing && $0.time >= offer.time }) {
            timing.postDialDelay = ringing.time.nanoseconds(since: offer.time)
        }
        let decisions = decisionsForCaller(steps, callerID: callerID)
        if let decision = decisions.first(where: { $0.message.kind == .answer }) ?? decisions.last {
            timing.timeToDecision = decision.time.nanoseconds(since: offer.time)
        }
        if let answer = decisions.first(where: { $0.message.kind == .answer }) {
            let hangup = steps.first { $0.message.kind == .hangup && $0.time >= answer.time }
            timing.duration = (hangup?.time ?? last.time).nanoseconds(since: answer.time)
        }
        return timing
    }

    /// Finds the callee devices, puts each on the lifeline it answered from, and settles its fate.
    func assignDevices(_ participants: inout [Participant], steps: [CallStep], callOutcome: CallOutcome) {
        let roleByID = Dictionary(uniqueKeysWithValues: participants.map { ($0.id, $0.role) })
        var hostByDevice: [String: String] = [:]
        var deviceOrder: [String] = []
        let deviceKinds: Set<MessageKind> = [.ringing, .answer, .reject, .redirect, .challenge, .progress]
        for step in steps where deviceKinds.contains(step.message.kind) {
            guard let device = step.message.senderDevice, roleByID[step.from] != .caller else { continue }
            let current = hostByDevice[device]
            // A device seen both behind a proxy and directly lives on its own lifeline.
            if current == nil || (roleByID[current!] != .callee && roleByID[step.from] == .callee) {
                if current == nil { deviceOrder.append(device) }
                hostByDevice[device] = step.from
            }
        }
        // A callee lifeline that never named its device is one device.
        for participant in participants
        where participant.role == .callee && !hostByDevice.values.contains(participant.id) {
            hostByDevice[participant.partyKey] = participant.id
            deviceOrder.append(participant.partyKey)
        }
        let deciders = DeviceDecisions(steps: steps, hostByDevice: hostByDevice, participants: participants)
        for device in deviceOrder {
            let host = hostByDevice[device]!
            guard let index = participants.firstIndex(where: { $0.id == host }) else { continue }
            let outcome = deciders.outcome(of: device, callOutcome: callOutcome)
            participants[index].devices.append(
                Device(key: device, label: deciders.label(of: device, host: participants[index]), outcome: outcome))
        }
    }
}

/// Works out one device's fate from what it sent and what it was told.
private struct DeviceDecisions {
    let steps: [CallStep]
    let hostByDevice: [String: String]
    let participants: [Participant]

    func sent(by device: String) -> [CallStep] {
        steps.filter { $0.message.senderDevice == device && hostByDevice[device] != nil }
    }

    func received(by device: String) -> [CallStep] {
        guard let host = hostByDevice[device] else { return [] }
        let devicesOnHost = hostByDevice.filter { $0.value == host }.count
        return steps.filter { step in
            step.message.receiverDevice == device
                || (step.to == host && (step.message.receiverDevice == nil || devicesOnHost == 1))
        }
    }

    func outcome(of device: String, callOutcome: CallOutcome) -> CallOutcome {
        let own = sent(by: device)
        let told = received(by: device)
        let answer = own.first { $0.message.kind == .answer }
        let elsewhere = told.last { $0.message.elsewhere != nil && $0.message.senderDevice != device }
        if let answer {
            if let elsewhere, elsewhere.message.elsewhere == .answered, elsewhere.time >= answer.time {
                return .answeredElsewhere
            }
            return .answered
        }
        if let hint = elsewhere?.message.elsewhere {
            return hint == .answered ? .answeredElsewhere : .declinedElsewhere
        }
        let refusal = own.last { [.reject, .redirect, .challenge].contains($0.message.kind) }
        if let refusal, let outcome = refusal.message.outcome, outcome != .cancelled { return outcome }
        let otherDecisions = steps.filter { step in
            step.message.senderDevice != nil && step.message.senderDevice != device
                && hostByDevice[step.message.senderDevice!] != nil
        }
        let otherAnswered = otherDecisions.contains { $0.message.kind == .answer }
        let otherDeclined = otherDecisions.contains {
            [.declined, .busy].contains($0.message.outcome) && $0.message.kind == .reject
        }
        let wasCancelled = told.contains { $0.message.kind == .cancel } || refusal?.message.outcome == .cancelled
        if otherAnswered { return .answeredElsewhere }
        if otherDeclined && (wasCancelled || refusal == nil) { return .declinedElsewhere }
        if wasCancelled { return .cancelled }
        if let refusal, let outcome = refusal.message.outcome { return outcome }
        switch callOutcome {
        case .answered: return .answeredElsewhere
        case .declined, .busy: return .declinedElsewhere
        default: return callOutcome
        }
    }

    func label(of device: String, host: Participant) -> String {
        let agent = sent(by: device).compactMap(\.message.sender.agent).first ?? host.agent
        let name = device == host.partyKey ? host.partyKey : device
        return agent.map { "\(name) (\($0))" } ?? name
    }
}

extension SignalingProtocol {
    /// The word a call of this protocol is known by when it has no SIP-style method.
    var callWord: String {
        switch self {
        case .sip: return "INVITE"
        case .matrix: return "m.call"
        case .xmpp: return "jingle"
        case .whatsapp: return "call"
        }
    }
}
