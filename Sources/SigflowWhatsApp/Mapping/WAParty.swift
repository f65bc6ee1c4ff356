import SigflowCore

/// The lifelines of a WhatsApp call: one per device (keyed by device JID, `user:device@server`, the
/// phone bare) and one for the WhatsApp server that routes every stanza.
public enum WAParty {
    /// The server's lifeline key: the JID WhatsApp's servers use.
    public static let serverKey = "s.whatsapp.net"

    public static var server: Party { Party(name: serverKey, isServer: true, agent: "WhatsApp server") }

    /// A device by its JID; `agent` names the client library when its log is given.
    public static func device(_ jid: String, agent: String? = nil) -> Party {
        guard let parsed = WAJID(jid), !parsed.isServer else { return Party(name: jid, device: jid, agent: agent) }
        return Party(name: parsed.deviceJID, user: parsed.userJID, device: parsed.deviceJID, agent: agent)
    }

    /// The device a log comes from when nothing in the logs names it.
    public static func unnamedDevice(file: String, agent: String) -> Party {
        Party(name: placeholderKey(file: file), agent: agent)
    }

    public static func placeholderKey(file: String) -> String { "device of \(file)" }

    /// A JID as a device key (`:0` dropped), or nil for text that is not a device JID.
    public static func deviceKey(_ jid: String?) -> String? {
        guard let jid, let parsed = WAJID(jid), !parsed.isServer, !parsed.isCall else { return nil }
        return parsed.deviceJID
    }
}
