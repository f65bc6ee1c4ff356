import SigflowCore

/// What a client log says about one stanza (`<call>`, `<receipt>`, the `<ack>` answering them), or
/// about a call status the application printed (Baileys' `recv call event` blocks), with the facts
/// the merge adds once all logs are read.
public struct WALogDetail: Equatable, Sendable {
    public enum Stanza: String, Sendable {
        case call, receipt, ack
    }

    /// Whether the logging device's JID is known, and from where.
    public enum DeviceNaming: Sendable {
        /// The log names its own device.
        case named
        /// Nothing names it: `logDevice` is a placeholder (`device of <file>`).
        case unnamed
        /// The merge replaced the placeholder with the JID the other logs address it by.
        case resolved
    }

    /// One attribute of the action child, as printed.
    public struct Attribute: Hashable, Sendable {
        public var name: String
        public var value: String
    }

    /// The root attributes kept for checks and JSON, in the order JSON lists them (the push name
    /// `notify` is left out).
    public struct Root: Equatable, Sendable {
        public var from: String?
        public var to: String?
        public var participant: String?
        public var recipient: String?
        public var t: String?
        public var offline: String?
        public var platform: String?
        public var version: String?
        public var stanzaClass: String?
        public var type: String?
        public var error: String?

        init() {}

        init(_ node: WANode) {
            from = node["from"]
            to = node["to"]
            participant = node["participant"]
            recipient = node["recipient"]
            t = node["t"]
            offline = node["offline"]
            platform = node["platform"]
            version = node["version"]
            stanzaClass = node["class"]
            type = node["type"]
            error = node["error"]
        }

        var fields: [(String, String?)] {
            [
                ("from", from), ("to", to), ("participant", participant), ("recipient", recipient), ("t", t),
                ("offline", offline), ("platform", platform), ("version", version), ("class", stanzaClass),
                ("type", type), ("error", error),
            ]
        }
    }

    /// Nil for a status line.
    public var stanza: Stanza?
    /// The action child's tag (`offer`, `reject`, ...); for an ack, the action of the stanza it
    /// answers (its `type` when no log shows that stanza).
    public var action: String?
    /// The stanza's `id` (`line<N>` for a call stanza without one).
    public var stanzaID: String?
    /// Which way it went, seen from the logging device; nil for a status line.
    public var direction: WADirection?
    /// The log's file name and the record's first line (nil for a status line).
    public var log: String
    public var logLine: Int?
    /// The logging device's JID, or its placeholder.
    public var logDevice: String
    public var deviceNaming: DeviceNaming
    public var root: Root
    /// The action child's attributes but `call-id`, in the order printed.
    public var actionAttributes: [Attribute]
    /// The devices an offer is encrypted for: `<destination><to jid=...>`.
    public var destinations: [String]
    /// The action has a `<video>` child.
    public var video: Bool
    /// A status line's status (`ringing`).
    public var baileysStatus: String?
    /// `<call id=.. to=..><reject call-creator=.. call-id=.. count="0"/>`: the stanza head.
    public var headline: String
    /// An ack's action came from the stanza it answers, found in another log.
    public var actionFromOtherLog = false
    /// Milliseconds this log's clock was moved to agree with the other logs.
    public var logClockShift: String?
    /// For a hop no log shows: the log line it follows from (`caller.log line 33`).
    public var inferredFrom: String?
    /// Milliseconds the logs were moved to agree with a capture of the device.
    public var pcapClockShift: String?

    /// The first action attribute called `name`, as the decoder read it.
    func actionAttribute(_ name: String) -> String? { actionAttributes.first { $0.name == name }?.value }

    public var reason: String? { actionAttribute("reason") }
    public var callCreator: String? { actionAttribute("call-creator") }
    public var isCallEnded: String? { actionAttribute("is_call_ended") }
    public var terminateReason: String? { actionAttribute("terminate_reason") }
    // A root attribute, else the action's of the same name: what JSON shows under that name.
    public var from: String? { root.from ?? actionAttribute("from") }
    public var to: String? { root.to ?? actionAttribute("to") }
    public var offline: String? { root.offline ?? actionAttribute("offline") }
    public var error: String? { root.error ?? actionAttribute("error") }

    /// The devices JSON's `destination` names.
    public var destinationList: [String] {
        guard destinations.isEmpty else { return destinations }
        return actionAttribute("destination")?.split(separator: " ").map(String.init) ?? []
    }

    /// A `<call>` or `<receipt>`: a stanza routed from one device to another.
    public var isRouted: Bool { stanza == .call || stanza == .receipt }

    /// An offer that announces a call already ended.
    var announcesEndedCall: Bool { isCallEnded == "1" || terminateReason != nil }

    public var label: String {
        guard let stanza else { return "Baileys status \(baileysStatus ?? "")" }
        switch stanza {
        case .call: return "call-\(action ?? "")" + (reason.map { " \($0)" } ?? "")
        case .receipt: return "call-receipt (\(action ?? ""))"
        case .ack:
            var label = "receipt-ack"
            if root.stanzaClass != "receipt" {
                // An ack with an error was named before its action was known, and kept that name.
                let shown = actionFromOtherLog && root.error != nil ? nil : action
                label = "call-ack" + (shown.map { " (\($0))" } ?? "")
            }
            return label + (root.error.map { " error \($0)" } ?? "")
        }
    }

    public var notes: [String] {
        guard inferredFrom == nil else { return [] }
        guard let stanza else { return ["Baileys reports status '\(baileysStatus ?? "")'"] }
        if stanza == .ack { return root.error.map { ["error \($0): refused"] } ?? [] }
        var notes: [String] = []
        if stanza == .call && action == "offer" {
            if announcesEndedCall { notes.append("already-ended notification, not a live offer") }
            if direction == .send && destinations.count > 1 { notes.append("for \(destinations.count) devices") }
        }
        if root.offline != nil { notes.append("replayed from the offline queue") }
        return notes
    }

    public var attributes: [(key: String, value: String)] {
        var list = WAAttributeList()
        if let stanza {
            list.set("stanza", stanza.rawValue)
            if !actionFromOtherLog { list.set("action", action) }
            list.set("stanza-id", stanzaID)
            list.set("direction", direction?.rawValue)
            list.set("log", log)
            list.set("log-line", logLine.map { String($0) })
            list.set("log-device", logDevice)
            if deviceNaming != .named { list.set("log-device-unnamed", "1") }
            for (name, value) in root.fields { list.set(name, value) }
            for attribute in actionAttributes {
                list.set(list.contains(attribute.name) ? "action-\(attribute.name)" : attribute.name, attribute.value)
            }
            if !destinations.isEmpty { list.set("destination", destinations.joined(separator: " ")) }
            if video { list.set("video", "1") }
            if deviceNaming == .resolved { list.remove("log-device-unnamed") }
            if actionFromOtherLog { list.set("action", action) }
        } else {
            list.set("baileys-status", baileysStatus)
            list.set("log", log)
            list.set("log-device", logDevice)
            list.set("direction", "local")
        }
        list.set("log-clock-shift-ms", logClockShift)
        list.set("inferred-from", inferredFrom)
        list.set("pcap-clock-shift-ms", pcapClockShift)
        return list.fields
    }
}
