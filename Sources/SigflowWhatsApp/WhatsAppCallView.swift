import SigflowCore

/// One WhatsApp stanza (`<call>` or `<receipt>`) with every step that carried it: the sender's hop to
/// the server and the server's deliveries, observed in a log or inferred.
struct WhatsAppStanza {
    var tag: WALogDetail.Stanza
    var action: String
    var id: String
    /// The action attributes rules read, each from the first of its steps that has it.
    var reason: String?
    var callCreator: String?
    var offline: String?
    var isCallEnded: String?
    var terminateReason: String?
    /// The device that sent it (its `from`, or the logging device for a send).
    var sender: String?
    /// The device it is for (`to`, or the logging device for a delivery); nil for an offer to a user.
    var target: String?
    var steps: [CallStep]

    init(tag: WALogDetail.Stanza, action: String, id: String, sender: String?) {
        self.tag = tag
        self.action = action
        self.id = id
        self.sender = sender
        steps = []
    }

    /// Adds a step that carried it, taking the fields it lacks from the step.
    mutating func add(_ step: CallStep, _ detail: WALogDetail) {
        steps.append(step)
        if target == nil, action != "offer" || detail.direction == .recv { target = step.message.waReceiver }
        reason = reason ?? detail.reason
        callCreator = callCreator ?? detail.callCreator
        offline = offline ?? detail.offline
        isCallEnded = isCallEnded ?? detail.isCallEnded
        terminateReason = terminateReason ?? detail.terminateReason
    }

    /// When it entered the system: its earliest step.
    var time: CaptureTime { steps.map(\.time).min() ?? .zero }
    /// The step to point a finding at: the observed send, else the first observed delivery, else the
    /// earliest (inferred) step.
    var step: Int {
        let observed = steps.filter { $0.message.confidence == .observed }
        let pick =
            observed.first { $0.message.waLog?.direction == .send } ?? observed.min { $0.time < $1.time }
            ?? steps.min { $0.time < $1.time }
        return pick?.number ?? 0
    }
    var isObserved: Bool { steps.contains { $0.message.confidence == .observed } }
    /// A `*_elsewhere` terminate: dismisses one device, does not end the call.
    var isDismissal: Bool { action == "terminate" && (reason?.hasSuffix("_elsewhere") ?? false) }

    /// Whether this stanza comes before `other`: by line within a log both were seen in, else by time.
    func precedes(_ other: WhatsAppStanza) -> Bool {
        for mine in steps where mine.message.confidence == .observed {
            for theirs in other.steps where theirs.message.confidence == .observed {
                let a = mine.sightings[0].source
                let b = theirs.sightings[0].source
                if a.capture == b.capture { return a.frame < b.frame }
            }
        }
        return time < other.time
    }
}

/// The WhatsApp view of a call: its stanzas in order, the acks, and who created it.
struct WhatsAppCallView {
    let call: Call
    let stanzas: [WhatsAppStanza]
    let acks: [CallStep]
    /// The call creator's device: the offer's `call-creator`, else the offer's sender.
    let creator: String?

    init(_ call: Call) {
        self.call = call
        var order: [String] = []
        var byKey: [String: WhatsAppStanza] = [:]
        var acks: [CallStep] = []
        for step in call.steps {
            guard let detail = step.message.waLog, let tag = detail.stanza else { continue }
            if tag == .ack {
                acks.append(step)
                continue
            }
            guard let action = detail.action, let id = detail.stanzaID else { continue }
            let key = "\(tag.rawValue)|\(id)|\(action)"
            if byKey[key] == nil {
                order.append(key)
                byKey[key] = WhatsAppStanza(tag: tag, action: action, id: id, sender: step.message.waSender)
            }
            byKey[key]!.add(step, detail)
        }
        stanzas = order.compactMap { byKey[$0] }.sorted { $0.time < $1.time }
        self.acks = acks
        let offers = stanzas.filter { $0.tag == .call && $0.action == "offer" }
        creator = offers.lazy.compactMap { Self.deviceKey($0.callCreator) }.first ?? offers.first?.sender
    }

    func calls(_ actions: Set<String>) -> [WhatsAppStanza] {
        stanzas.filter { $0.tag == .call && actions.contains($0.action) }
    }

    var hasOffer: Bool { !calls(["offer", "offer_notice"]).isEmpty }

    /// A device JID with `:0` dropped, as the decoder keys devices.
    static func deviceKey(_ jid: String?) -> String? {
        guard let jid, let at = jid.lastIndex(of: "@") else { return jid }
        let local = jid[..<at]
        guard let colon = local.lastIndex(of: ":"), local[local.index(after: colon)...] == "0" else { return jid }
        return String(local[..<colon]) + String(jid[at...])
    }

    /// `447700900123@s.whatsapp.net` for `447700900123:24@s.whatsapp.net`.
    static func user(_ device: String?) -> String? {
        guard let device, let at = device.lastIndex(of: "@") else { return nil }
        var local = device[..<at]
        if let colon = local.lastIndex(of: ":") { local = local[..<colon] }
        if let dot = local.firstIndex(of: ".") { local = local[..<dot] }
        return String(local) + String(device[at...])
    }
}
