/// The client-server API endpoints that matter for calls, read from a request target.
enum MatrixRequestPath: Equatable {
    /// `PUT /_matrix/client/{r0,v3}/rooms/{roomId}/send/{eventType}/{txnId}`
    case send(roomID: String, eventType: String, transactionID: String)
    /// `PUT /_matrix/client/{r0,v3}/sendToDevice/{eventType}/{txnId}`
    case sendToDevice(eventType: String, transactionID: String)
    /// `GET /_matrix/client/{r0,v3}/sync`
    case sync
    /// `POST /_matrix/client/{r0,v3}/login`
    case login
    /// `GET /_matrix/client/{r0,v3}/account/whoami`
    case whoami
    case other

    init(method: String, target: String) {
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map {
            MatrixRequestPath.percentDecoded(String($0))
        }
        // _matrix, client, version, ...
        guard segments.count >= 4, segments[0] == "_matrix", segments[1] == "client" else {
            self = .other
            return
        }
        let rest = Array(segments[3...])
        switch (method, rest.count) {
        case ("PUT", 5) where rest[0] == "rooms" && rest[2] == "send":
            self = .send(roomID: rest[1], eventType: rest[3], transactionID: rest[4])
        case ("PUT", 3) where rest[0] == "sendToDevice":
            self = .sendToDevice(eventType: rest[1], transactionID: rest[2])
        case ("GET", 1) where rest[0] == "sync":
            self = .sync
        case ("POST", 1) where rest[0] == "login":
            self = .login
        case ("GET", 2) where rest[0] == "account" && rest[1] == "whoami":
            self = .whoami
        default:
            self = .other
        }
    }

    static func percentDecoded(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%"), let high = iterator.next(), let low = iterator.next(),
                let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
            {
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The Matrix VoIP event types (spec voip_events.md, plus the unstable names js-sdk still sends).
enum MatrixCallEventType {
    static func isCallEvent(_ type: String) -> Bool {
        type.hasPrefix("m.call.") || type.hasPrefix("org.matrix.call.")
    }

    static let encrypted = "m.room.encrypted"
}

extension String {
    func replacingPrefix(_ prefix: String, with replacement: String) -> String {
        hasPrefix(prefix) ? replacement + dropFirst(prefix.count) : self
    }
}
