import SigflowCore
import SigflowSDP

/// Turns a parsed SIP message into the protocol-neutral `SignalingMessage`: which kind of step it is,
/// what it means for the call's outcome, and the keys that tie it to its transaction, dialog and
/// device (RFC 3261 §8.1.1.7, §12, §17.1.3).
public enum SIPMapper {
    /// Where the message was seen.
    public struct Context: Sendable {
        public var source: Endpoint
        public var destination: Endpoint
        public var stamp: PacketStamp
        /// `udp`, `tcp` or `ws`.
        public var transport: String
        /// Bytes of the message the capture lacks (a datagram cut by the snapshot length).
        public var missingBytes: Int

        public init(
            source: Endpoint, destination: Endpoint, stamp: PacketStamp, transport: String, missingBytes: Int = 0
        ) {
            self.source = source
            self.destination = destination
            self.stamp = stamp
            self.transport = transport
            self.missingBytes = missingBytes
        }
    }

    /// Nil when the message has no Call-ID: it cannot belong to any call. Without `detailed`, only
    /// what correlation needs is worked out: no headline, notes, SDP summary or attributes.
    public static func signalingMessage(_ sip: SIPMessage, context: Context, detailed: Bool = true) -> SignalingMessage?
    {
        guard let callID = sip.callID, !callID.isEmpty else { return nil }
        let cseq = sip.cseq
        let branch = sip.topViaBranch
        let fromTag = sip.fromTag
        let toTag = sip.toTag
        let method = sip.method ?? cseq?.method
        let kind = Self.kind(of: sip, cseqMethod: cseq?.method)
        let cseqText = cseq.map { Self.joined([String($0.number), $0.method], by: " ") } ?? "?"

        let label: String
        // Without a branch (RFC 2543 peers) the start line and tags are the best identity there is.
        // The Call-ID is left out: identities are only compared within a call.
        // A retransmission is the same message again: a response with another reason phrase or
        // another body is a message of its own (RFC 3261 §17 retransmits messages, it does not
        // rewrite them).
        var tail = branch == nil ? [sip.startLineText] : []
        if !sip.body.isEmpty { tail.append(Self.digest(sip.body)) }
        let identity: String
        switch sip.startLine {
        case .request(let requestMethod, _):
            label = requestMethod
            identity = Self.joined(["req", requestMethod, branch ?? "-", cseqText, fromTag ?? "-"] + tail, by: "|")
        case .response(let code, let reason):
            label = reason.isEmpty ? String(code) : Self.joined([String(code), reason], by: " ")
            identity = Self.joined(
                ["rsp", String(code), branch ?? "-", cseqText, toTag ?? "-", branch == nil ? "" : reason] + tail,
                by: "|")
        }
        let transactionMethod = cseq?.method == "ACK" ? "INVITE" : (cseq?.method ?? method ?? "?")
        let transaction = branch.map { "\($0)|\(transactionMethod)" }
        let dialog = toTag.map { [fromTag ?? "-", $0].sorted().joined(separator: "|") }

        let agent =
            sip.isRequest
            ? (sip.header(.userAgent) ?? sip.header(.server)) : (sip.header(.server) ?? sip.header(.userAgent))
        let fromAOR = sip.addressOfRecord(.from)
        let toAOR = sip.addressOfRecord(.to)
        var sender = Party(endpoint: context.source)
        var receiver = Party(endpoint: context.destination)
        sender.agent = agent
        sender.user = sip.isRequest ? fromAOR : toAOR
        receiver.user = sip.isRequest ? toAOR : fromAOR

        var notes: [String] = []
        var attributes = MessageAttributes()
        let reasons = sip.method == "CANCEL" || sip.method == "BYE" || detailed ? sip.headerValues(.reason) : []
        // The SDP is read in both modes: where each party receives media is what the media tracker
        // counts RTP by, and the call list counts media steps like any other.
        let sdp =
            !sip.body.isEmpty
                && (sip.headerBytes(.contentType).map {
                    SIPHeaderSyntax.hasPrefix($0, caseInsensitive: "application/sdp")
                } == true
                    || sip.body.starts(with: "v=0".utf8))
            ? SDPSummary(sip.body, codecs: detailed) : nil
        if detailed {
            if let sdp { notes.append("SDP " + sdp.oneLine) }
            for reason in reasons { notes.append("Reason: " + reason) }
            for warning in sip.headerValues(.warning) { notes.append("Warning: " + warning) }
            if let code = sip.statusCode, (300..<400).contains(code), let contact = sip.uri(.contact) {
                notes.append("Contact: " + contact)
            }
            if sip.bodyShortBy > 0 {
                notes.append("body is \(sip.bodyShortBy) bytes shorter than its Content-Length")
            }

            attributes[SIPAttribute.cseq] = cseq.map { String($0.number) }
            attributes[SIPAttribute.cseqMethod] = cseq?.method
            attributes[SIPAttribute.viaBranch] = branch
            attributes[SIPAttribute.viaCount] = String(sip.viaCount)
            attributes[SIPAttribute.fromTag] = fromTag
            attributes[SIPAttribute.toTag] = toTag
            attributes[SIPAttribute.from] = sip.uri(.from)
            attributes[SIPAttribute.to] = sip.uri(.to)
            if case .request(_, let uri) = sip.startLine { attributes[SIPAttribute.requestURI] = uri }
            attributes[SIPAttribute.contact] = sip.uri(.contact)
            attributes[SIPAttribute.userAgent] = sip.header(.userAgent)
            attributes[SIPAttribute.server] = sip.header(.server)
            attributes[SIPAttribute.reason] = reasons.isEmpty ? nil : reasons.joined(separator: ", ")
            attributes[SIPAttribute.contentLength] = sip.header(.contentLength)
            if sip.bodyShortBy > 0 { attributes[SIPAttribute.bodyShortBy] = String(sip.bodyShortBy) }
            if let sdp {
                attributes[SIPAttribute.sdp] = sdp.oneLine
                attributes[SIPAttribute.sdpMedia] = sdp.mediaEndpoints.map(\.description).joined(separator: " ")
            }
            attributes[SIPAttribute.recordRoute] = sip.header(.recordRoute)
        }
        var message = SignalingMessage(
            signalingProtocol: .sip,
            callID: callID,
            kind: kind,
            label: label,
            headline: detailed ? sip.startLineText : "",
            method: method,
            statusCode: sip.statusCode,
            sender: sender,
            receiver: receiver,
            stamp: context.stamp,
            transport: context.transport,
            identity: identity,
            transaction: transaction,
            dialog: dialog,
            senderDevice: sip.isRequest ? fromTag : toTag,
            receiverDevice: sip.isRequest ? toTag : fromTag,
            outcome: outcome(of: sip, cseqMethod: cseq?.method),
            elsewhere: sip.method == "CANCEL" || sip.method == "BYE" ? elsewhere(reasons) : nil,
            linkedCallIDs: links(of: sip, callID: callID),
            notes: notes,
            attributes: attributes,
            mediaEndpoints: sdp?.mediaEndpoints ?? [])
        if sip.truncatedHeaders || context.missingBytes > 0 {
            message.truncated = true
            if detailed {
                message.notes.append(
                    sip.truncatedHeaders
                        ? "truncated: the capture ends inside the headers"
                        : "truncated: the capture lacks "
                            + "\(context.missingBytes) bytes of it")
            }
        }
        return message
    }

    /// A short fingerprint of a body (64-bit FNV-1a), to tell messages apart that differ only there.
    static func digest(_ bytes: ArraySlice<UInt8>) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }

    /// `parts` joined by `separator` into a string allocated once: built for every message, where
    /// interpolation's piecewise growth showed in profiles.
    static func joined(_ parts: [String], by separator: Unicode.Scalar) -> String {
        let count = parts.reduce(parts.count - 1) { $0 + $1.utf8.count }
        return String(unsafeUninitializedCapacity: count) { buffer in
            var offset = 0
            for (index, var part) in parts.enumerated() {
                if index > 0 {
                    buffer[offset] = UInt8(separator.value)
                    offset += 1
                }
                offset = part.withUTF8 { bytes in
                    UnsafeMutableBufferPointer(rebasing: buffer[offset...]).initialize(fromContentsOf: bytes) + offset
                }
            }
            return offset
        }
    }

    static func kind(of sip: SIPMessage, cseqMethod: String?) -> MessageKind {
        switch sip.startLine {
        case .request(let method, _):
            switch method {
            case "INVITE": return sip.toTag == nil ? .offer : .update
            case "UPDATE": return .update
            case "ACK": return .confirm
            case "CANCEL": return .cancel
            case "BYE": return .hangup
            default: return .request
            }
        case .response(let code, _):
            guard cseqMethod == "INVITE" else {
                if code == 401 || code == 407 { return .challenge }
                return (200..<300).contains(code) && (cseqMethod == "BYE" || cseqMethod == "CANCEL")
                    ? .acknowledgement : .response
            }
            switch code {
            case 100..<101: return .progress
            case 101..<200: return .ringing
            case 200..<300: return .answer
            case 300..<400: return .redirect
            case 401, 407: return .challenge
            default: return .reject
            }
        }
    }

    /// What a final response to INVITE means for the call (RFC 3261 §21).
    static func outcome(of sip: SIPMessage, cseqMethod: String?) -> CallOutcome? {
        guard let code = sip.statusCode else { return nil }
        guard cseqMethod == "INVITE" else { return nil }
        switch code {
        case 200..<300: return .answered
        case 300..<400: return .redirected
        case 401, 407: return .unauthorized
        case 408: return .timedOut
        case 486, 600: return .busy
        case 487: return .cancelled
        case 603: return .declined
        case 400..<700: return .rejected
        default: return nil
        }
    }

    /// RFC 3326: a CANCEL's `Reason: SIP;cause=200` says another branch answered; a 6xx cause says the
    /// call was declined on another branch (common proxy practice, not normative).
    static func elsewhere(_ reasons: [String]) -> ElsewhereHint? {
        for reason in reasons where SIPHeaderSyntax.hasPrefix(reason, caseInsensitive: "sip") {
            guard let cause = SIPHeaderSyntax.parameter("cause", in: reason).flatMap({ Int($0) }) else { continue }
            if (200..<300).contains(cause) { return .answered }
            if [600, 603, 606].contains(cause) { return .declined }
        }
        return nil
    }

    /// Keys that tie B2BUA legs together: `X-Call-ID`/`X-CID` name the other leg's Call-ID,
    /// `Session-ID` (RFC 7989) carries UUIDs both legs share, `Replaces` and a `Refer-To` with an
    /// embedded Replaces name the dialog being replaced.
    static func links(of sip: SIPMessage, callID: String) -> [String] {
        var links: [String] = []
        for name in [SIPHeaderName.xCallID, .xCID, .xOriginalCallID] {
            if let value = sip.header(name)?.trimmingSpaces, !value.isEmpty, value != callID {
                links.append("call-id:" + value)
            }
        }
        if let session = sip.header(.sessionID) {
            let local = session.split(separator: ";").first.map { $0.trimmingSpaces.lowercased() } ?? ""
            let remote = SIPHeaderSyntax.parameter("remote", in: session)?.lowercased() ?? ""
            for uuid in [local, remote] where uuid.count == 32 && uuid != String(repeating: "0", count: 32) {
                links.append("session:" + uuid)
            }
        }
        if let replaces = sip.header(.replaces), let id = replaces.split(separator: ";").first {
            links.append("call-id:" + id.trimmingSpaces)
        }
        if let referTo = sip.header(.referTo).map({ Array($0.utf8) }),
            let start = referTo.offsetAfter(caseInsensitive: "replaces=")
        {
            let encoded = referTo[start...].prefix { $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: ">") }
            let decoded = percentDecoded(String(decoding: encoded, as: UTF8.self))
            if let id = decoded.split(separator: ";").first { links.append("call-id:" + id.trimmingSpaces) }
        }
        return links
    }

    static func percentDecoded(_ text: String) -> String {
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

extension Array where Element == UInt8 {
    /// The offset just past the first ASCII-case-insensitive occurrence of `needle`, if any.
    func offsetAfter(caseInsensitive needle: String) -> Int? {
        let pattern = Array(needle.lowercased().utf8)
        guard count >= pattern.count else { return nil }
        for start in 0...(count - pattern.count) {
            var matched = true
            for (offset, expected) in pattern.enumerated() {
                let byte = self[start + offset]
                let lower = byte >= 65 && byte <= 90 ? byte + 32 : byte
                if lower != expected {
                    matched = false
                    break
                }
            }
            if matched { return start + pattern.count }
        }
        return nil
    }
}
