import SigflowCore

extension WhatsAppCallReview {
    /// Where a step was seen: `caller.log line 33`, or that it is inferred.
    static func evidence(_ step: CallStep) -> String {
        let place = step.message.waLog.map { "\($0.log) line \($0.logLine.map { String($0) } ?? "?")" }
        return step.message.confidence == .inferred
            ? "step \(step.number), inferred" : "step \(step.number)" + (place.map { ", \($0)" } ?? "")
    }

    /// What the seed write-up (a WhatsApp 1:1 reject) left open, answered as far as this call's logs
    /// answer it; plus the log clocks that were moved and the devices no log names.
    static func openQuestions(_ call: Call) -> [String] {
        var questions: [String] = []
        let creator = creator(call)
        let observed = call.steps.filter { $0.message.confidence == .observed }
        func calls(_ action: String) -> [CallStep] {
            observed.filter { $0.message.waLog?.stanza == .call && $0.message.waLog?.action == action }
        }
        // A decline in the seed's sense: a callee device refuses for the user (a busy refusal is not one).
        let declines = calls("reject").filter {
            $0.message.waSender != creator && $0.message.waLog?.reason != "busy"
        }
        if let decline = declines.first {
            // Q1: a dedicated stanza?
            let reason = decline.message.waLog?.reason
            questions.append(
                "Seed question \"is the decline carried by a dedicated stanza?\": settled by the logs. The declining "
                    + "device sends a dedicated <call><reject> (\(evidence(decline)))"
                    + (reason.map { " with reason '\($0)'" } ?? " with no reason attribute") + ", not a <terminate>.")
            // Q2: reject reasons vs terminate reasons.
            let rejectReasons = Set(calls("reject").map { $0.message.waLog?.reason ?? "(none)" }).sorted()
            let terminateReasons = Set(calls("terminate").map { $0.message.waLog?.reason ?? "(none)" }).sorted()
            let shared = Set(rejectReasons).intersection(terminateReasons).subtracting(["(none)"])
            let seen =
                " Reject reasons seen: \(rejectReasons.joined(separator: ", "))"
                + (reason == nil ? " (a user decline carries none)" : "")
                + "; terminate reasons seen: \(terminateReasons.isEmpty ? "none" : terminateReasons.joined(separator: ", "))."
            let verdict: String
            if terminateReasons.isEmpty {
                verdict = "not settled by these logs: no <terminate> is seen to compare with."
            } else if shared.isEmpty {
                verdict = "settled for this call: no, the two sets do not overlap."
            } else {
                verdict = "no: they share \(shared.sorted().joined(separator: ", "))."
            }
            questions.append(
                "Seed question \"does the reject reason token match a terminate reason?\": " + verdict + seen)
            // Q3: who dismisses the other devices?
            let dismissals = call.steps.filter {
                $0.message.waLog?.stanza == .call && $0.message.waLog?.action == "terminate"
                    && $0.message.waLog?.reason == "rejected_elsewhere"
            }
            let sentByCaller = dismissals.first {
                $0.message.confidence == .observed && $0.message.waLog?.direction == .send
                    && $0.message.waSender == creator
            }
            let delivered = dismissals.first {
                $0.message.confidence == .observed && $0.message.waLog?.direction == .recv
            }
            if let sent = sentByCaller {
                let routed = dismissals.first { $0.number != sent.number && $0.message.sender.isServer }
                questions.append(
                    "Seed question \"is the rejected_elsewhere propagation server- or peer-originated?\": settled by "
                        + "the logs: peer-originated. The caller's device sends <terminate reason=\"rejected_elsewhere\"> "
                        + "to the other device (\(evidence(sent)))"
                        + (routed.map { " and the server only routes it (\(evidence($0)))" } ?? "")
                        + ". The wire token is rejected_elsewhere, not reject_elsewhere.")
            } else if let delivered {
                questions.append(
                    "Seed question \"is the rejected_elsewhere propagation server- or peer-originated?\": the "
                        + "delivery (\(evidence(delivered))) names the caller's device as sender "
                        + "(from=\(delivered.message.waLog?.from ?? "?")), which points to the caller; the "
                        + "caller's log would settle it.")
            } else {
                questions.append(
                    "Seed question \"is the rejected_elsewhere propagation server- or peer-originated?\": not settled "
                        + "by these logs: no other device is seen being dismissed.")
            }
            // The seed's speculative step 4: the server's ack of the reject.
            let serverAck = observed.first {
                $0.message.waLog?.stanza == .ack && $0.message.waLog?.action == "reject"
                    && $0.message.sender.isServer && $0.to == decline.from
            }
            if let serverAck {
                questions.append(
                    "The seed's speculative step \"server acknowledges the rejection\" is observed: <ack class=\"call\" "
                        + "type=\"reject\"> (\(evidence(serverAck))).")
            } else {
                questions.append(
                    "Whether the server acknowledges the reject to the rejecting device (the seed's speculative step) "
                        + "is not shown: the rejecting device's log is not given or has no such ack.")
            }
        }
        // Clocks moved to agree.
        var shifts: [String: String] = [:]
        for step in call.steps {
            if let detail = step.message.waLog, let shift = detail.logClockShift { shifts[detail.log] = shift }
        }
        for (log, shift) in shifts.sorted(by: { $0.key < $1.key }) {
            questions.append(
                "The clock of \(log) was moved by \(shift) ms so that no delivery precedes its send; the order of "
                    + "steps from different logs closer than that is an estimate.")
        }
        if let shift = call.steps.lazy.compactMap({ $0.message.waLog?.pcapClockShift }).first {
            questions.append(
                "The logs were put on the capture's clock (moved by \(shift) ms to fit the encrypted signaling "
                    + "bursts); which burst carried which stanza is matched by time only.")
        }
        for participant in call.participants {
            guard case .name(let name) = participant.partyKey, name.hasPrefix("device of ") else { continue }
            questions.append(
                "No log names the JID of \(name.dropFirst("device of ".count))'s device; it is drawn as \"\(name)\".")
        }
        return questions
    }
}
