import SigflowCore
import SigflowSDP

extension SignalingProtocol {
    /// SIP (RFC 3261), over UDP, TCP, TLS and WebSocket.
    public static let sip = SignalingProtocol(id: "sip", displayName: "SIP", forkedWord: "forked", rank: 0)
}

/// Turns a parsed SIP message into the protocol-neutral `SignalingMessage`: which kind of step it is,
/// what it means for the call's outcome, and the keys that tie it to its transaction, dialog and
/// device (RFC 3261 §8.1.1.7, §12, §17.1.3), made from the wire bytes.
public enum SIPMapper {
    /// Where the message was seen.
    public struct Context: Sendable {
        public var source: Endpoint
        public var destination: Endpoint
        public var stamp: PacketStamp
        public var transport: MessageTransport
        /// Bytes of the message the capture lacks (a datagram cut by the snapshot length).
        public var missingBytes: Int

        public init(
            source: Endpoint, destination: Endpoint, stamp: PacketStamp, transport: MessageTransport,
            missingBytes: Int = 0
        ) {
            self.source = source
            self.destination = destination
            self.stamp = stamp
            self.transport = transport
            self.missingBytes = missingBytes
        }
    }

    /// Seeds that keep the keys of different things apart.
    enum KeyTag {
        static let request: UInt64 = 0x7265_7175_6573_74
        static let response: UInt64 = 0x7265_7370_6f6e_7365
        static let transaction: UInt64 = 0x7472_616e_73
        static let dialog: UInt64 = 0x6469_616c_6f67
        static let device: UInt64 = 0x7461_67
        static let session: UInt64 = 0x7365_7373_696f_6e
        static let branch: UInt64 = 0x6272_616e_6368
    }

    /// Nil when the message has no Call-ID: it cannot belong to any call. Without `detailed`, only
    /// what correlation and the call list need is worked out: no start-line text, notes, SDP codecs,
    /// attributes or device names; users only on requests.
    public static func signalingMessage(_ sip: SIPMessage, context: Context, detailed: Bool = true) -> SignalingMessage?
    {
        guard let callIDBytes = sip.headerBytes(.callID), !callIDBytes.isEmpty else { return nil }
        let callID = String(decoding: callIDBytes, as: UTF8.self)
        let cseq = sip.cseq
        let cseqBytes = sip.headerBytes(.cseq)
        let branch = sip.topViaBranchBytes
        let fromTag = sip.parameterBytes("tag", of: .from)
        let toTag = sip.parameterBytes("tag", of: .to)
        let method = sip.method.map(Self.knownMethod) ?? cseq.map { Self.knownMethod($0.method) }
        let kind = Self.kind(of: sip, cseqMethod: cseq?.method)

        // Equal for copies of one message on one hop; a response with another reason phrase or
        // another body is a message of its own (RFC 3261 §17 retransmits messages, it does not
        // rewrite them). Without a branch (RFC 2543 peers) the start line stands in for it.
        var identity = KeyHasher(seed: sip.isRequest ? KeyTag.request : KeyTag.response)
        let startLine: SIPDetail.StartLine
        switch sip.startLine {
        case .request(let requestMethod, _):
            startLine = .request(method: Self.knownMethod(requestMethod))
            identity.field(requestMethod.utf8)
            identity.field(fromTag ?? [])
        case .response(let code, let reason):
            startLine = .response(code: code, reason: reason)
            identity.combine(UInt64(code))
            identity.field(toTag ?? [])
            identity.field(reason.utf8)
        }
        if let branch { identity.field(branch) } else { identity.field(sip.startLineText.utf8) }
        identity.field(cseqBytes ?? [])
        if !sip.body.isEmpty { identity.field(sip.body) }

        let transactionMethod = cseq?.method == "ACK" ? "INVITE" : (cseq?.method ?? method ?? "?")
        let transaction = branch.map { branch -> MessageKey in
            var hasher = KeyHasher(seed: KeyTag.transaction)
            hasher.field(branch)
            hasher.field(transactionMethod.utf8)
            return MessageKey(hasher.finalize())
        }
        let fromKey = fromTag.map { MessageKey(tag: KeyTag.device, bytes: $0) }
        let toKey = toTag.map { MessageKey(tag: KeyTag.device, bytes: $0) }
        let dialog = toKey.map { to -> MessageKey in
            let from = fromKey ?? MessageKey(0)
            var hasher = KeyHasher(seed: KeyTag.dialog)
            hasher.combine(min(from, to).value)
            hasher.combine(max(from, to).value)
            return MessageKey(hasher.finalize())
        }
        func device(_ key: MessageKey?, _ bytes: ArraySlice<UInt8>?) -> DeviceKey? {
            key.map { DeviceKey(key: $0, name: detailed ? SIPHeaderSyntax.unquotedText(bytes!) : nil) }
        }

        var sender = Party(endpoint: context.source)
        var receiver = Party(endpoint: context.destination)
        if detailed || sip.isRequest {
            let fromAOR = sip.addressOfRecord(.from)
            let toAOR = sip.addressOfRecord(.to)
            sender.user = sip.isRequest ? fromAOR : toAOR
            receiver.user = sip.isRequest ? toAOR : fromAOR
        }
        if detailed {
            sender.agent =
                sip.isRequest
                ? (sip.header(.userAgent) ?? sip.header(.server)) : (sip.header(.server) ?? sip.header(.userAgent))
        }
        let hangsUp = sip.method == "CANCEL" || sip.method == "BYE"
        // The SDP is read in both modes: where each party receives media is what the media tracker
        // counts RTP by, and the call list counts media steps like any other.
        let carriesSDP =
            !sip.body.isEmpty
            && (sip.headerBytes(.contentType).map {
                SIPHeaderSyntax.hasPrefix($0, caseInsensitive: "application/sdp")
            } == true
                || sip.body.starts(with: "v=0".utf8))
        let sdp = carriesSDP && detailed ? SDPSummary(sip.body) : nil
        let mediaEndpoints =
            !carriesSDP ? [] : sdp.map(\.mediaEndpoints) ?? SDPSummary.mediaEndpoints(in: sip.body)
        var detail = SIPDetail(
            startLine: startLine, cseqNumber: cseq?.number, cseqMethod: cseq?.method,
            branch: detailed ? sip.topViaBranch : nil, fromTag: detailed ? sip.fromTag : nil,
            toTag: detailed ? sip.toTag : nil, bodyShortBy: sip.bodyShortBy, missingBytes: context.missingBytes,
            truncatedHeaders: sip.truncatedHeaders, message: detailed ? sip : nil, sdp: sdp)
        if sip.isRequest {
            detail.branchKey = branch.map { MessageKey(tag: KeyTag.branch, bytes: $0) }
            detail.upstreamBranchKey = sip.viaBranchBytes(1).map { MessageKey(tag: KeyTag.branch, bytes: $0) }
        }
        var message = SignalingMessage(
            call: CallKey(.sip, callID: callIDBytes),
            callID: callID,
            kind: kind,
            method: method,
            statusCode: sip.statusCode,
            sender: sender,
            receiver: receiver,
            stamp: context.stamp,
            transport: context.transport,
            identity: MessageKey(identity.finalize()),
            transaction: transaction,
            dialog: dialog,
            senderDevice: sip.isRequest ? device(fromKey, fromTag) : device(toKey, toTag),
            receiverDevice: sip.isRequest ? device(toKey, toTag) : device(fromKey, fromTag),
            outcome: outcome(of: sip, cseqMethod: cseq?.method),
            elsewhere: hangsUp ? elsewhere(sip.headerValues(.reason)) : nil,
            linkTokens: links(of: sip, callID: callID),
            mediaEndpoints: mediaEndpoints,
            detail: detail)
        message.truncated = sip.truncatedHeaders || context.missingBytes > 0
        return message
    }

    /// A method name as a string literal when it is one of the common ones: no allocation, and the
    /// same storage for every message.
    static func knownMethod(_ method: String) -> String {
        switch method {
        case "INVITE": return "INVITE"
        case "ACK": return "ACK"
        case "BYE": return "BYE"
        case "CANCEL": return "CANCEL"
        case "REGISTER": return "REGISTER"
        case "OPTIONS": return "OPTIONS"
        default: return method
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
    static func links(of sip: SIPMessage, callID: String) -> [LinkToken] {
        var links: [LinkToken] = []
        for name in [SIPHeaderName.xCallID, .xCID, .xOriginalCallID] {
            if let value = sip.header(name)?.trimmingSpaces, !value.isEmpty, value != callID {
                links.append(.naming(CallKey(.sip, callID: value)))
            }
        }
        if let session = sip.header(.sessionID) {
            let local = session.split(separator: ";").first.map { $0.trimmingSpaces.lowercased() } ?? ""
            let remote = SIPHeaderSyntax.parameter("remote", in: session)?.lowercased() ?? ""
            for uuid in [local, remote] where uuid.count == 32 && uuid != String(repeating: "0", count: 32) {
                links.append(.shared(MessageKey(tag: KeyTag.session, text: uuid)))
            }
        }
        if let replaces = sip.header(.replaces), let id = replaces.split(separator: ";").first {
            links.append(.naming(CallKey(.sip, callID: id.trimmingSpaces)))
        }
        if let referTo = sip.header(.referTo).map({ Array($0.utf8) }),
            let start = referTo.offsetAfter(caseInsensitive: "replaces=")
        {
            let encoded = referTo[start...].prefix { $0 != UInt8(ascii: "&") && $0 != UInt8(ascii: ">") }
            let decoded = percentDecoded(String(decoding: encoded, as: UTF8.self))
            if let id = decoded.split(separator: ";").first {
                links.append(.naming(CallKey(.sip, callID: id.trimmingSpaces)))
            }
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

extension KeyHasher {
    /// A field of a key: its length, then its bytes, so that adjacent fields cannot run into each
    /// other.
    mutating func field(_ bytes: some Collection<UInt8>) {
        combine(UInt64(bytes.count))
        combine(bytes)
    }
}
