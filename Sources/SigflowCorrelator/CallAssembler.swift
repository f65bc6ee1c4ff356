import SigflowCore

/// Builds one `Call` from its steps: who took part and in which role, which devices rang, and how
/// the call and each device ended.
struct CallAssembler {
    let steps: [UnnumberedStep]
    let captureEnd: CaptureTime?
    /// The protocol's timers and exchange outcomes.
    let policy: any CallPolicy
    /// Whether participants get their labels.
    let detailed: Bool

    func call(callID: String) -> Call {
        let roles = RoleInference(steps: steps, labelled: detailed)
        let participants = roles.participants
        let numbered = steps.indices.map { index in
            let step = steps[index]
            let parties = roles.stepParties[index]
            return CallStep(
                number: index + 1, message: step.message, from: participants[parties.from].id,
                to: participants[parties.to].id, time: step.time, sightings: step.sightings,
                retransmissions: step.retransmissions)
        }
        let callerID = participants.first { $0.role == .caller }?.id
        let isCall = steps.contains { $0.message.kind == .offer }
        let retried = retriedChallenges(numbered)
        let attempt = isCall ? lastAttempt(numbered, callerID: callerID) : nil
        let settling: CallStep?
        let outcome: CallOutcome
        if isCall {
            settling = settlingDecision(numbered, callerID: callerID, attempt: attempt?.transactions)
            outcome = callOutcome(numbered, callerID: callerID, settling: settling, offer: attempt?.offer)
        } else {
            (settling, outcome) = policy.settleExchange(numbered, retried: retried)
        }
        var finished = participants
        if isCall {
            assignDevices(&finished, steps: numbered.filter { !retried.contains($0.number) }, callOutcome: outcome)
        }
        for index in finished.indices {
            switch finished[index].role {
            case .caller: finished[index].outcome = outcome
            case .callee:
                finished[index].outcome = finished[index].devices.count == 1 ? finished[index].devices[0].outcome : nil
            case .peer where !isCall:
                // The other end of a REGISTER, OPTIONS, ...: the exchange's fate is its fate.
                finished[index].outcome = outcome
            default: break
            }
        }
        let opening = attempt?.offer ?? numbered.first { $0.message.kind == .offer }
        let first = steps[0].message
        return Call(
            signalingProtocol: first.signalingProtocol,
            callID: callID,
            key: first.call,
            linkedCallIDs: [],
            method: steps.first { $0.message.method != nil }?.message.method ?? policy.callWord,
            participants: finished,
            steps: numbered,
            outcome: outcome,
            timing: timing(numbered, offer: opening, callerID: callerID, settling: settling),
            settlingStep: settling?.number,
            attemptStep: opening?.number)
    }

    /// The challenges the challenged party answered with a new request of the same method: steps of
    /// the exchange, not its outcome (RFC 3261 §22.2, §22.3: the request is sent again with
    /// credentials in a new transaction).
    func retriedChallenges(_ steps: [CallStep]) -> Set<Int> {
        var retried: Set<Int> = []
        for (index, challenge) in steps.enumerated() where challenge.message.kind == .challenge {
            let retry = steps[(index + 1)...].contains { later in
                later.from == challenge.to && (later.message.kind == .offer || later.message.kind == .request)
                    && later.message.method == challenge.message.method
                    && later.message.transaction != challenge.message.transaction
            }
            if retry { retried.insert(challenge.number) }
        }
        return retried
    }

    /// The caller's last attempt: its last offer after every decision it followed (a challenge
    /// answered with credentials, a redirect), with the offers sent alongside it before any final
    /// response came back (a forking proxy's parallel branches, RFC 3261 §16.6). Nil when the
    /// offers carry no transactions.
    private func lastAttempt(
        _ steps: [CallStep], callerID: String?
    ) -> (
        offer: CallStep, transactions: Set<MessageKey>
    )? {
        var attempt: Set<MessageKey> = []
        var offer: CallStep?
        var answeredInAttempt = false
        for step in steps {
            guard let transaction = step.message.transaction else { continue }
            if step.message.kind == .offer && step.from == callerID {
                if answeredInAttempt || offer == nil {
                    attempt = []
                    answeredInAttempt = false
                    offer = step
                }
                attempt.insert(transaction)
            } else if step.message.isDecision, step.to == callerID, attempt.contains(transaction) {
                answeredInAttempt = true
            }
        }
        guard let offer else { return nil }
        return (offer, attempt)
    }

    /// The final response that settles the call for the caller, within its last attempt. Among
    /// parallel branches an answer settles it whatever the others said first; on a single branch
    /// the first decision does (a 2xx after a 6xx is a fault the checks report, not a new outcome).
    /// A decision the caller cannot understand settles nothing.
    private func settlingDecision(_ steps: [CallStep], callerID: String?, attempt: Set<MessageKey>?) -> CallStep? {
        let decisions = steps.filter { step in
            step.message.isDecision && !step.message.ignoredByCaller
                && (callerID == nil || step.to == callerID)
                && (attempt == nil || step.message.transaction.map { attempt!.contains($0) } ?? true)
        }
        let branches = Set(decisions.compactMap(\.message.transaction)).count
        return (branches > 1 ? decisions.first { $0.message.kind == .answer } : nil) ?? decisions.first
    }

    /// - Parameters:
    ///   - settling: the step `settlingDecision` finds.
    ///   - offer: the offer of the caller's last attempt, which timers count from.
    func callOutcome(_ steps: [CallStep], callerID: String?, settling: CallStep?, offer: CallStep?) -> CallOutcome {
        let callerCancelled = steps.contains { $0.message.kind == .cancel && (callerID == nil || $0.from == callerID) }
        if let first = settling,
            let outcome = first.message.outcome
        {
            // "Request terminated" without a cancel from the caller is a refusal, not a cancellation.
            return outcome == .cancelled && !callerCancelled ? .rejected : outcome
        }
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
        if let offer = offer ?? steps.first(where: { $0.message.kind == .offer }),
            let end = captureEnd, end.nanoseconds(since: offer.time) >= (offer.message.lifetime ?? policy.offerTimeout)
        {
            return .timedOut
        }
        return .incomplete
    }

    /// Timers count from the offer of the caller's last attempt (a challenge and its retry come
    /// before the call proper), and post-dial delay ends when the caller hears ringing.
    func timing(_ steps: [CallStep], offer: CallStep?, callerID: String?, settling decision: CallStep?) -> CallTiming {
        guard let first = steps.first, let last = steps.last else {
            return CallTiming(start: .zero, end: .zero)
        }
        var timing = CallTiming(start: first.time, end: last.time)
        guard let offer else { return timing }
        let ringings = steps.filter { $0.message.kind == .ringing && $0.time >= offer.time }
        if let ringing = ringings.first(where: { $0.to == callerID }) ?? ringings.first {
            timing.postDialDelay = ringing.time.nanoseconds(since: offer.time)
        }
        if let decision {
            timing.timeToDecision = decision.time.nanoseconds(since: offer.time)
        }
        if let answer = decision, answer.message.kind == .answer {
            let hangup = steps.first { $0.message.kind == .hangup && $0.time >= answer.time }
            timing.duration = (hangup?.time ?? last.time).nanoseconds(since: answer.time)
        }
        return timing
    }

    /// Finds the callee devices and settles each one's fate. A callee lifeline is one device, whatever
    /// tags it used; behind a proxy or server whose far side the capture does not show, each device
    /// key (SIP To tag) the relay passed on is a device of its own.
    func assignDevices(_ participants: inout [Participant], steps: [CallStep], callOutcome: CallOutcome) {
        let roleByID = Dictionary(uniqueKeysWithValues: participants.map { ($0.id, $0.role) })
        let deviceKinds: Set<MessageKind> = [.ringing, .answer, .reject, .redirect, .challenge, .progress]
        let deviceSteps = steps.filter { deviceKinds.contains($0.message.kind) && roleByID[$0.from] != .caller }
        var devices: [DeviceDecisions.Device] = []
        var known: Set<DeviceKey> = []
        for participant in participants where participant.role == .callee {
            var keys: [DeviceKey] = []
            for step in deviceSteps where step.from == participant.id {
                if let key = step.message.senderDevice, !keys.contains(key) { keys.append(key) }
            }
            devices.append(
                DeviceDecisions.Device(
                    host: participant.id, keys: keys.isEmpty ? [DeviceKey(participant.partyKey.description)] : keys,
                    hidden: false))
            known.formUnion(keys)
        }
        for step in deviceSteps where roleByID[step.from] == .proxy || roleByID[step.from] == .server {
            // A relay that asks for credentials is the relay itself, not a device behind it.
            guard step.message.kind != .challenge, let key = step.message.senderDevice, !known.contains(key) else {
                continue
            }
            known.insert(key)
            devices.append(DeviceDecisions.Device(host: step.from, keys: [key], hidden: true))
        }
        let decisions = DeviceDecisions(steps: steps, devices: devices)
        for device in devices {
            guard let index = participants.firstIndex(where: { $0.id == device.host }) else { continue }
            participants[index].devices.append(
                Device(
                    key: device.keys[0], label: decisions.label(of: device, host: participants[index]),
                    outcome: decisions.outcome(of: device, callOutcome: callOutcome)))
        }
    }
}

/// Works out one device's fate from what it sent and what it was told.
private struct DeviceDecisions {
    struct Device {
        /// The lifeline the device's messages are drawn on.
        var host: String
        /// The device's keys (SIP To tags, Matrix party_id, ...); several when a UAS used more than one.
        var keys: [DeviceKey]
        /// Seen only through a relay: the capture lacks the device's own lifeline.
        var hidden: Bool
    }

    let steps: [CallStep]
    let devices: [Device]

    func sent(by device: Device) -> [CallStep] {
        steps.filter { step in step.message.senderDevice.map { device.keys.contains($0) } ?? false }
    }

    func received(by device: Device) -> [CallStep] {
        let devicesOnHost = devices.filter { $0.host == device.host }.count
        return steps.filter { step in
            if let target = step.message.receiverDevice, device.keys.contains(target) { return true }
            return !device.hidden && step.to == device.host
                && (step.message.receiverDevice == nil || devicesOnHost == 1)
        }
    }

    /// A device's fate. Its own first answer or refusal settles it, as for the call. A message telling
    /// it the call was settled on another device counts when it came before that, and when the call
    /// bears it out (a "completed elsewhere" with no answer anywhere is not believed) or it is the
    /// other device's own message. A device the
    /// capture shows but that was told nothing final is incomplete; one hidden behind a proxy takes
    /// its fate from the call.
    func outcome(of device: Device, callOutcome: CallOutcome) -> CallOutcome {
        let own = sent(by: device)
        let told = received(by: device)
        let firstOwn = own.first { $0.message.isDecision }
        let others = devices.filter { $0.keys != device.keys }
        let otherDecisions = others.flatMap { sent(by: $0) }
        let otherAnswered = otherDecisions.contains { $0.message.kind == .answer }
        let otherDeclined = otherDecisions.contains {
            $0.message.kind == .reject && [.declined, .busy].contains($0.message.outcome)
        }
        let callAnswered = callOutcome == .answered || steps.contains { $0.message.kind == .answer }
        let callDeclined =
            [.declined, .busy, .rejected].contains(callOutcome)
            || steps.contains { $0.message.kind == .reject && [.declined, .busy].contains($0.message.outcome) }
        let hints = told.filter { step in
            guard let hint = step.message.elsewhere,
                !(step.message.senderDevice.map { device.keys.contains($0) } ?? false)
            else { return false }
            // A copy of the other device's own message (an XMPP carbon of its proceed or reject) is
            // that device's act, seen directly; a relay's claim needs the call to bear it out.
            let fromOtherDevice = step.message.senderDevice.map { key in others.contains { $0.keys.contains(key) } }
            return fromOtherDevice == true || (hint == .answered ? callAnswered : callDeclined)
        }
        if let firstOwn, firstOwn.message.kind == .answer {
            let lost = hints.contains { $0.message.elsewhere == .answered && $0.time >= firstOwn.time }
            return lost ? .answeredElsewhere : .answered
        }
        if let hint = hints.last(where: { firstOwn == nil || $0.time <= firstOwn!.time })?.message.elsewhere {
            return hint == .answered ? .answeredElsewhere : .declinedElsewhere
        }
        let wasCancelled = told.contains { $0.message.kind == .cancel }
        let cancellation: CallOutcome =
            otherAnswered ? .answeredElsewhere : otherDeclined ? .declinedElsewhere : .cancelled
        if let outcome = firstOwn?.message.outcome {
            // "Request terminated" without a cancel is a refusal, not a cancellation.
            if outcome == .cancelled { return wasCancelled ? cancellation : .rejected }
            return outcome
        }
        if wasCancelled { return cancellation }
        guard device.hidden else { return callOutcome == .timedOut ? .timedOut : .incomplete }
        switch callOutcome {
        case .answered: return others.isEmpty ? .answered : .answeredElsewhere
        case .declined, .busy: return others.isEmpty ? callOutcome : .declinedElsewhere
        default: return callOutcome
        }
    }

    func label(of device: Device, host: Participant) -> String {
        guard device.hidden else { return host.label }
        let agent = sent(by: device).compactMap(\.message.sender.agent).first
        return "device \(device.keys[0].description) behind \(host.id)" + (agent.map { " (\($0))" } ?? "")
    }
}
