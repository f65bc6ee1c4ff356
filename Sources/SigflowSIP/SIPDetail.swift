import SigflowCore
import SigflowSDP

/// What SIP rules and documents read of a message (RFC 3261 §8.1.1, §20): its start line, CSeq,
/// top Via branch and tags, and, where documents will show it, the whole message. A call list keeps
/// only the start line.
public struct SIPDetail: MessageDetail, Equatable {
    public enum StartLine: Hashable, Sendable {
        case request(method: String)
        case response(code: Int, reason: String)
    }

    public var startLine: StartLine
    /// `CSeq: 1 INVITE` as its number and method (upper case).
    public var cseqNumber: UInt32?
    public var cseqMethod: String?
    /// The branch parameter of the topmost Via: the transaction key (RFC 3261 §17.2.3).
    public var branch: String?
    public var fromTag: String?
    public var toTag: String?
    /// The branches of the top two Via values, as keys: a request whose second branch is the top
    /// branch of a request the capture saw arrive somewhere was forwarded by that somewhere (RFC
    /// 3261 §16.6 step 8: a proxy adds its Via above the one it received).
    public var branchKey: MessageKey? = nil
    public var upstreamBranchKey: MessageKey? = nil
    /// Bytes Content-Length promised that the datagram did not hold (RFC 3261 §18.3: an error).
    public var bodyShortBy: Int
    /// Bytes of the message the capture lacks (a snapshot length); the headers ended early when
    /// `truncatedHeaders`.
    public var missingBytes: Int
    public var truncatedHeaders: Bool
    /// The message as received, kept where documents and rules read it.
    public var message: SIPMessage?
    /// Its session description, summarised.
    public var sdp: SDPSummary?

    public var status: Int? {
        if case .response(let code, _) = startLine { return code }
        return nil
    }

    /// The request method of a request, nil for a response.
    public var requestMethod: String? {
        if case .request(let method) = startLine { return method }
        return nil
    }

    public var isRequest: Bool { requestMethod != nil }

    public var label: String {
        switch startLine {
        case .request(let method): return method
        case .response(let code, let reason): return reason.isEmpty ? String(code) : "\(code) \(reason)"
        }
    }

    public var headline: String { message?.startLineText ?? "" }

    /// The header values of a kept message, empty without one.
    public func headerValues(_ name: SIPHeaderName) -> [String] { message?.headerValues(name) ?? [] }

    public var notes: [String] {
        guard let message else { return [] }
        var notes: [String] = []
        if let sdp { notes.append("SDP " + sdp.oneLine) }
        for reason in message.headerValues(.reason) { notes.append("Reason: " + reason) }
        for warning in message.headerValues(.warning) { notes.append("Warning: " + warning) }
        if let code = status, (300..<400).contains(code), let contact = message.uri(.contact) {
            notes.append("Contact: " + contact)
        }
        if bodyShortBy > 0 { notes.append("body is \(bodyShortBy) bytes shorter than its Content-Length") }
        if truncatedHeaders {
            notes.append("truncated: the capture ends inside the headers")
        } else if missingBytes > 0 {
            notes.append("truncated: the capture lacks \(missingBytes) bytes of it")
        }
        return notes
    }

    public var attributes: [(key: String, value: String)] {
        guard let message else { return [] }
        var fields: [(key: String, value: String)] = []
        func put(_ key: String, _ value: String?) {
            if let value { fields.append((key, value)) }
        }
        put("cseq", cseqNumber.map { String($0) })
        put("cseq-method", cseqMethod)
        put("via-branch", branch)
        put("via-count", String(message.viaCount))
        put("from-tag", fromTag)
        put("to-tag", toTag)
        put("from", message.uri(.from))
        put("from-display", message.displayName(.from))
        put("to", message.uri(.to))
        put("to-display", message.displayName(.to))
        if case .request(_, let uri) = message.startLine { put("request-uri", uri) }
        put("contact", message.uri(.contact))
        put("user-agent", message.header(.userAgent))
        put("server", message.header(.server))
        let reasons = message.headerValues(.reason)
        put("reason", reasons.isEmpty ? nil : reasons.joined(separator: ", "))
        put("content-length", message.header(.contentLength))
        if bodyShortBy > 0 { put("body-short-by", String(bodyShortBy)) }
        if let sdp {
            put("sdp", sdp.oneLine)
            put("sdp-media", sdp.mediaEndpoints.map(\.description).joined(separator: " "))
        }
        put("record-route", message.header(.recordRoute))
        return fields
    }

    public static func == (lhs: SIPDetail, rhs: SIPDetail) -> Bool {
        lhs.startLine == rhs.startLine && lhs.cseqNumber == rhs.cseqNumber && lhs.cseqMethod == rhs.cseqMethod
            && lhs.branch == rhs.branch && lhs.fromTag == rhs.fromTag && lhs.toTag == rhs.toTag
            && lhs.branchKey == rhs.branchKey && lhs.upstreamBranchKey == rhs.upstreamBranchKey
            && lhs.bodyShortBy == rhs.bodyShortBy && lhs.missingBytes == rhs.missingBytes
            && lhs.truncatedHeaders == rhs.truncatedHeaders && lhs.message?.bytes == rhs.message?.bytes
            && lhs.sdp == rhs.sdp
    }
}

extension SignalingMessage {
    /// The SIP fields of a SIP message.
    public var sip: SIPDetail? { detail as? SIPDetail }
}
