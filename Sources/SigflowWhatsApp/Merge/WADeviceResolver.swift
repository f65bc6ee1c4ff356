import SigflowCore

/// Names the device of a log that never names itself (a whatsmeow callee log shows `from` on what it
/// receives and `to` on what it sends, never its own JID), from the other logs of the run:
/// - a stanza this log received was sent by another log `to` a device JID (not an offer, which is
///   addressed to the user and fanned out): that JID;
/// - a stanza this log sent arrived in another log `from` a device JID: that JID;
/// - an offer this log received was encrypted for a list of devices (`<destination>`), and all but one
///   of them have logs of their own: the one left.
/// The most frequent answer wins; with none, the placeholder stays.
enum WADeviceResolver {
    static func resolve(_ messages: inout [SignalingMessage], diagnostics: inout [Diagnostic]) {
        let unnamed = Set(
            messages.filter { $0.waLog?.deviceNaming == .unnamed }.map { $0.stamp.source.capture })
        guard !unnamed.isEmpty else { return }
        let known = Set(messages.filter { $0.waLog?.deviceNaming != .unnamed }.compactMap(\.waLogDevice))
        var renames: [Int: String] = [:]
        for capture in unnamed.sorted() {
            var votes: [String: Int] = [:]
            let own = messages.filter { $0.stamp.source.capture == capture && $0.waLog?.isRouted == true }
            let elsewhere = Dictionary(
                grouping: messages.filter { $0.stamp.source.capture != capture && $0.waLog?.isRouted == true },
                by: { $0.waLog?.stanzaID ?? "" })
            for message in own {
                guard let detail = message.waLog, let id = detail.stanzaID, let action = detail.action else { continue }
                let twins = (elsewhere[id] ?? []).compactMap(\.waLog).filter { $0.action == action }
                if detail.direction == .recv {
                    for twin in twins where twin.direction == .send {
                        if action != "offer", let to = WAParty.deviceKey(twin.to) {
                            votes[to, default: 0] += 1
                        } else if action == "offer" {
                            let left = twin.destinationList.filter {
                                !known.contains($0) && !renames.values.contains($0)
                            }
                            if left.count == 1 { votes[left[0], default: 0] += 1 }
                        }
                    }
                } else {
                    for twin in twins where twin.direction == .recv {
                        if let from = WAParty.deviceKey(twin.from) { votes[from, default: 0] += 1 }
                    }
                }
            }
            guard let best = votes.max(by: { ($0.value, $1.key) < ($1.value, $0.key) })?.key else { continue }
            renames[capture] = best
        }
        for (capture, jid) in renames.sorted(by: { $0.key < $1.key }) {
            guard let placeholder = messages.first(where: { $0.stamp.source.capture == capture })?.waLogDevice else {
                continue
            }
            for index in messages.indices where messages[index].stamp.source.capture == capture {
                rename(&messages[index], from: placeholder, to: jid)
            }
            let file = messages.first { $0.stamp.source.capture == capture }?.waLogName ?? "log"
            diagnostics.append(
                Diagnostic(
                    .note, "whatsapp_log_device",
                    "\(file): the logging device is \(jid), as the other logs address it"))
        }
    }

    static func rename(_ message: inout SignalingMessage, from placeholder: String, to jid: String) {
        func renamed(_ party: Party) -> Party {
            guard party.key == .name(placeholder) else { return party }
            return WAParty.device(jid, agent: party.agent)
        }
        message.sender = renamed(message.sender)
        message.receiver = renamed(message.receiver)
        if message.waSender == placeholder { message.senderDevice = DeviceKey(jid) }
        if message.waReceiver == placeholder { message.receiverDevice = DeviceKey(jid) }
        message.waLog?.logDevice = jid
        if message.waLog?.deviceNaming == .unnamed { message.waLog?.deviceNaming = .resolved }
    }
}
