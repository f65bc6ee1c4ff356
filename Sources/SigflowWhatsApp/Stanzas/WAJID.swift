/// A WhatsApp JID as logs print it (whatsmeow `JID.String()`): `user[.agent][:device]@server`, or a
/// bare server (`s.whatsapp.net`). Device 0, the primary phone, prints without `:0`, so the phone's
/// device JID and its user's JID are the same text.
public struct WAJID: Hashable, Sendable, CustomStringConvertible {
    public var user: String
    public var agent: String?
    public var device: Int
    public var server: String

    /// Parses a JID; nil for text that is not one (empty, spaces, several `@`).
    public init?(_ text: String) {
        guard !text.isEmpty, text.count <= 256, !text.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
        else { return nil }
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return nil }
        if parts.count == 1 {
            user = ""
            agent = nil
            device = 0
            server = text
            return
        }
        server = String(parts[1])
        guard !server.isEmpty else { return nil }
        var local = Substring(parts[0])
        device = 0
        if let colon = local.lastIndex(of: ":") {
            guard let number = Int(local[local.index(after: colon)...]), number >= 0 else { return nil }
            device = number
            local = local[..<colon]
        }
        agent = nil
        if let dot = local.firstIndex(of: ".") {
            agent = String(local[local.index(after: dot)...])
            local = local[..<dot]
        }
        user = String(local)
    }

    /// A bare server JID (`s.whatsapp.net`) rather than a user or device.
    public var isServer: Bool { user.isEmpty }

    /// `<call-id>@call`: addressed to the call itself (heartbeats), not to a device.
    public var isCall: Bool { server == "call" }

    /// The user: `447700900123@s.whatsapp.net`.
    public var userJID: String { isServer ? server : "\(user)@\(server)" }

    /// The device, as whatsmeow prints it: `447700900123:24@s.whatsapp.net`, the phone bare.
    public var deviceJID: String {
        if isServer { return server }
        let agentPart = agent.map { ".\($0)" } ?? ""
        return device == 0 ? "\(user)\(agentPart)@\(server)" : "\(user)\(agentPart):\(device)@\(server)"
    }

    public var description: String { deviceJID }
}
