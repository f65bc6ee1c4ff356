import SigflowCore

/// The WhatsApp look at a correlated call, run after the correlator and before the checks: what the
/// protocol-neutral outcome rules get wrong for WhatsApp, and the open questions the logs answer.
///
/// Outcomes. The correlator counts any answer as the call's outcome and any refusal as final, as SIP
/// does. In WhatsApp a reason-less `<reject>` is the user's decision and ends the call for every
/// device (an accept after it is a fault, rule W5, not an answer), while `reason="busy"` refuses on
/// one device only and the others keep ringing. So:
/// - the call's outcome is its first deciding event: an accept (answered), a reason-less reject
///   (declined) or another non-busy reject (rejected) from a callee device, a reject or terminate by
///   the creator before any answer (cancelled), a `timeout` terminate (timed out); busy rejects
///   decide only when every rung device refused as busy;
/// - a device that accepts after the call was refused did not answer it: declined elsewhere when it
///   had been told so, incomplete otherwise;
/// - a device whose sibling refused only as busy was not declined elsewhere: it shares the call's fate.
/// Where this agrees with the correlator nothing changes.
///
/// Open questions. For a call that was declined, the seed write-up (a WhatsApp 1:1 reject) left
/// three questions open; each is answered as far as this call's logs answer it, with the steps and
/// log lines that do. Log clocks that were moved, and devices no log names, are said too.
enum WhatsAppCallReview {
    static func review(_ call: Call) -> Call {
        guard call.signalingProtocol == .whatsapp else { return call }
        guard call.isCall else { return reviewTimeline(call) }
        var reviewed = call
        reviewOutcomes(&reviewed)
        reviewed.openQuestions += openQuestions(reviewed)
        return reviewed
    }

    /// A capture's timeline of encrypted traffic (no log joined it): say what it can and cannot tell.
    static func reviewTimeline(_ call: Call) -> Call {
        guard call.steps.contains(where: { $0.message.waTimeline != nil }) else { return call }
        var reviewed = call
        reviewed.openQuestions.append(
            "The signaling is encrypted: the bursts show when the client and the server talked, not which stanzas "
                + "(offer, reject, terminate) they carried, nor who called whom. Give the device's client log with the "
                + "capture to place its stanzas on this timeline.")
        let media = call.steps.filter { $0.message.waTimeline?.event.media != nil }
        if media.isEmpty {
            reviewed.openQuestions.append(
                "No call media is seen: relays may have been allocated, but no UDP media followed on the call socket.")
        } else if let last = media.last {
            reviewed.openQuestions.append(
                "Media last flows at step \(last.number) (\(last.time.iso8601)); whether that was after a reject or "
                    + "terminate only a client log can tell.")
        }
        return reviewed
    }

    /// One stanza with the steps that carried it.
    struct Event {
        var action: String
        var reason: String?
        var device: String?
        var time: CaptureTime
        var steps: [CallStep]
        var to: String?
    }

    static func events(_ call: Call) -> [Event] {
        var order: [String] = []
        var byKey: [String: Event] = [:]
        for step in call.steps {
            guard let detail = step.message.waLog, detail.stanza == .call, let action = detail.action,
                let id = detail.stanzaID
            else { continue }
            let key = "\(id)|\(action)"
            if var event = byKey[key] {
                event.steps.append(step)
                event.time = min(event.time, step.time)
                event.to = event.to ?? step.message.waReceiver
                byKey[key] = event
            } else {
                order.append(key)
                byKey[key] = Event(
                    action: action, reason: detail.reason, device: step.message.waSender, time: step.time,
                    steps: [step], to: step.message.waReceiver)
            }
        }
        return order.compactMap { byKey[$0] }.sorted { $0.time < $1.time }
    }

    static func creator(_ call: Call) -> String? {
        let offers = call.steps.filter { $0.message.waLog?.stanza == .call && $0.message.waLog?.action == "offer" }
        if let creator = offers.lazy.compactMap({ WAParty.deviceKey($0.message.waLog?.callCreator) }).first {
            return creator
        }
        return offers.first?.message.waSender
    }

    /// The event that settled the call, and the outcome it means.
    static func settlement(_ call: Call, events: [Event]) -> (outcome: CallOutcome, event: Event)? {
        let creator = creator(call)
        for event in events {
            switch (event.action, event.reason) {
            case ("accept", _) where event.device != creator: return (.answered, event)
            case ("reject", _) where event.device == creator && creator != nil: return (.cancelled, event)
            case ("reject", nil): return (.declined, event)
            case ("reject", "busy"): continue
            case ("reject", _): return (.rejected, event)
            case ("terminate", "timeout"): return (.timedOut, event)
            case ("terminate", nil) where event.device == creator && creator != nil: return (.cancelled, event)
            default: continue
            }
        }
        let rung = Set(call.participants.filter { $0.role == .callee }.flatMap { $0.devices.map(\.key.description) })
        let busy = events.filter { $0.action == "reject" && $0.reason == "busy" }
        if let last = busy.last, !rung.isEmpty, rung.isSubset(of: Set(busy.compactMap(\.device))) {
            return (.busy, last)
        }
        return nil
    }

    static func reviewOutcomes(_ call: inout Call) {
        let events = events(call)
        guard let settled = settlement(call, events: events) else { return }
        call.outcome = settled.outcome
        // The hop of the deciding stanza that reached the caller, else its first.
        let callerID = call.caller?.id
        call.settlingStep = (settled.event.steps.first { $0.to == callerID } ?? settled.event.steps.first)?.number
        let refused = [.declined, .rejected, .cancelled].contains(settled.outcome)
        let dismissals = events.filter { $0.action == "terminate" && $0.reason == "rejected_elsewhere" }
        let nonBusyRejects = events.filter { $0.action == "reject" && $0.reason != "busy" }
        for index in call.participants.indices {
            switch call.participants[index].role {
            case .caller:
                call.participants[index].outcome = call.outcome
            case .callee:
                for deviceIndex in call.participants[index].devices.indices {
                    var device = call.participants[index].devices[deviceIndex]
                    let keys = Set([device.key.description, call.participants[index].partyKey.description])
                    let lateAccept = events.first {
                        $0.action == "accept" && keys.contains($0.device ?? "") && $0.time > settled.event.time
                    }
                    if refused, lateAccept != nil, settled.event.device.map({ !keys.contains($0) }) ?? true {
                        let told = dismissals.contains { keys.contains($0.to ?? "") && $0.time <= lateAccept!.time }
                        device.outcome = told ? .declinedElsewhere : .incomplete
                    } else if device.outcome == .declinedElsewhere,
                        !nonBusyRejects.contains(where: { !keys.contains($0.device ?? "") }),
                        !dismissals.contains(where: { keys.contains($0.to ?? "") })
                    {
                        device.outcome = call.outcome
                    }
                    call.participants[index].devices[deviceIndex] = device
                }
                let devices = call.participants[index].devices
                call.participants[index].outcome = devices.count == 1 ? devices[0].outcome : nil
            default:
                break
            }
        }
    }
}
