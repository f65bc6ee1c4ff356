import SigflowCore

/// What a session description says about media: enough to summarise an offer or answer in one line
/// and to know where its RTP will flow (RFC 8866).
public struct SDPSummary: Hashable, Sendable {
    public struct Media: Hashable, Sendable {
        public var type: String
        public var address: String?
        public var port: Int
        public var codecs: [String]
        public var direction: String
    }

    public var sessionName: String?
    public var media: [Media]
    /// UDP ICE candidates (`a=candidate`), session- and media-level alike: where a WebRTC agent
    /// really receives, its `c=` line often being the placeholder `0.0.0.0` port 9.
    public var candidates: [Endpoint] = []

    /// Names of the static RTP payload types (RFC 3551), for offers without `a=rtpmap`.
    static let staticPayloadNames: [Int: String] = [
        0: "PCMU", 3: "GSM", 4: "G723", 5: "DVI4", 6: "DVI4", 7: "LPC", 8: "PCMA", 9: "G722", 10: "L16", 11: "L16",
        12: "QCELP", 13: "CN", 14: "MPA", 15: "G728", 18: "G729", 25: "CelB", 26: "JPEG", 28: "nv", 31: "H261",
        32: "MPV", 33: "MP2T", 34: "H263",
    ]

    static let directions = ["sendrecv", "sendonly", "recvonly", "inactive"]

    /// The direction attribute an `a=` value names, if it is one: compared as bytes, since most
    /// attributes (rtpmap, fmtp, candidates) are not.
    static func direction(_ value: ArraySlice<UInt8>) -> String? {
        guard value.count == 8 else { return nil }
        return directions.first { $0.utf8.elementsEqual(value) }
    }

    /// Parses an SDP body; nil when it has no media line.
    public init?(_ body: [UInt8]) { self.init(body[...]) }

    /// Parses an SDP body; nil when it has no media line. Without `codecs`, only where media goes is
    /// read (no session name, payload types or codec names): all a call list needs.
    public init?(_ body: ArraySlice<UInt8>, codecs: Bool = true) {
        var sessionAddress: String?
        var sessionDirection = "sendrecv"
        var media: [Media] = []
        var payloads: [[Int]] = []
        var rtpmaps: [[Int: String]] = []
        // Lines are split on bytes: SDP is ASCII, and Character-level splitting costs grapheme
        // breaking for nothing.
        for line in body.split(whereSeparator: { $0 == 0x0A || $0 == 0x0D }) where line.count >= 2 {
            guard line[line.startIndex + 1] == UInt8(ascii: "=") else { continue }
            let value = line.dropFirst(2)
            switch line.first {
            case UInt8(ascii: "s") where codecs:
                sessionName = String(decoding: value, as: UTF8.self)
            case UInt8(ascii: "c"):
                let parts = value.split(separator: UInt8(ascii: " "))
                guard parts.count >= 3 else { continue }
                let address = String(
                    decoding: parts[2].split(separator: UInt8(ascii: "/")).first ?? parts[2], as: UTF8.self)
                if media.isEmpty { sessionAddress = address } else { media[media.count - 1].address = address }
            case UInt8(ascii: "m"):
                let parts = value.split(separator: UInt8(ascii: " "))
                guard parts.count >= 3 else { continue }
                let port =
                    ASCIIDecimal.value(parts[1].split(separator: UInt8(ascii: "/")).first ?? parts[1], maxDigits: 9)
                    ?? 0
                media.append(
                    Media(
                        type: String(decoding: parts[0], as: UTF8.self), address: nil, port: port, codecs: [],
                        direction: sessionDirection))
                payloads.append(codecs ? parts.dropFirst(3).compactMap { ASCIIDecimal.value($0, maxDigits: 9) } : [])
                rtpmaps.append([:])
            case UInt8(ascii: "a"):
                if let direction = Self.direction(value) {
                    if media.isEmpty {
                        sessionDirection = direction
                    } else {
                        media[media.count - 1].direction = direction
                    }
                } else if value.starts(with: "candidate:".utf8) {
                    if let endpoint = ICECandidate.endpoint(String(decoding: value, as: UTF8.self)) {
                        candidates.append(endpoint)
                    }
                } else if codecs, value.starts(with: "rtpmap:".utf8), !media.isEmpty {
                    let mapping = value.dropFirst(7).split(separator: UInt8(ascii: " "), maxSplits: 1)
                    if mapping.count == 2, let number = ASCIIDecimal.value(mapping[0], maxDigits: 9) {
                        let name = mapping[1].split(separator: UInt8(ascii: "/")).first ?? mapping[1]
                        rtpmaps[rtpmaps.count - 1][number] = String(decoding: name, as: UTF8.self)
                    }
                }
            default:
                continue
            }
        }
        guard !media.isEmpty else { return nil }
        for index in media.indices {
            if media[index].address == nil { media[index].address = sessionAddress }
            media[index].codecs = payloads[index].map {
                rtpmaps[index][$0] ?? Self.staticPayloadNames[$0] ?? String($0)
            }
        }
        self.media = media
    }

    /// `audio 10.0.0.1:4000 PCMU PCMA telephone-event sendrecv; video ...`
    public var oneLine: String {
        media.map { item in
            var words = [item.type, "\(item.address ?? "?"):\(item.port)"]
            words += item.codecs.prefix(6)
            if item.codecs.count > 6 { words.append("+\(item.codecs.count - 6)") }
            words.append(item.port == 0 ? "rejected" : item.direction)
            return words.joined(separator: " ")
        }.joined(separator: "; ")
    }

    /// Where each accepted media stream's RTP is announced to arrive, then every ICE candidate. A
    /// rejected stream (port 0) and the unspecified address of an RFC 2543 hold or a WebRTC offer
    /// (`c=IN IP4 0.0.0.0`) name no such place.
    public var mediaEndpoints: [Endpoint] {
        let announced = media.compactMap { item -> Endpoint? in
            guard item.port > 0, let text = item.address, let address = IPAddress(Substring(text)),
                address != .v4(0), address != .v6(high: 0, low: 0)
            else { return nil }
            return Endpoint(address: address, port: UInt16(clamping: item.port))
        }
        return announced + candidates.filter { !announced.contains($0) }
    }
}

extension SDPSummary {
    /// Where media is announced to arrive, as `SDPSummary(body, codecs: false)?.mediaEndpoints`
    /// finds it, without building the summary: a call list reads every offer and answer for it,
    /// and needs nothing else of the SDP.
    public static func mediaEndpoints(in body: ArraySlice<UInt8>) -> [Endpoint] {
        var sessionAddress: ArraySlice<UInt8>?
        // Each m= line's port, and its own c= address when it has one.
        var media: [(port: Int, address: ArraySlice<UInt8>?)] = []
        var candidates: [Endpoint] = []
        var lineStart = body.startIndex
        while lineStart < body.endIndex {
            var lineEnd = lineStart
            while lineEnd < body.endIndex, body[lineEnd] != 0x0A, body[lineEnd] != 0x0D { lineEnd += 1 }
            defer { lineStart = lineEnd + 1 }
            guard lineEnd - lineStart >= 2, body[lineStart + 1] == UInt8(ascii: "=") else { continue }
            let value = body[(lineStart + 2)..<lineEnd]
            switch body[lineStart] {
            case UInt8(ascii: "c"):
                guard let field = Self.field(2, of: value) else { continue }
                let address = field.prefix { $0 != UInt8(ascii: "/") }
                if media.isEmpty { sessionAddress = address } else { media[media.count - 1].address = address }
            case UInt8(ascii: "m"):
                guard Self.field(2, of: value) != nil, let port = Self.field(1, of: value) else { continue }
                media.append((ASCIIDecimal.value(port.prefix { $0 != UInt8(ascii: "/") }, maxDigits: 9) ?? 0, nil))
            case UInt8(ascii: "a") where value.starts(with: "candidate:".utf8):
                if let endpoint = ICECandidate.endpoint(String(decoding: value, as: UTF8.self)) {
                    candidates.append(endpoint)
                }
            default:
                continue
            }
        }
        guard !media.isEmpty else { return [] }
        var announced: [Endpoint] = []
        for item in media {
            guard item.port > 0, let text = item.address ?? sessionAddress, let address = IPAddress(ascii: text),
                address != .v4(0), address != .v6(high: 0, low: 0)
            else { continue }
            announced.append(Endpoint(address: address, port: UInt16(clamping: item.port)))
        }
        return announced + candidates.filter { !announced.contains($0) }
    }

    /// The `index`-th space-separated field of a line's value (runs of spaces are one separator).
    private static func field(_ index: Int, of value: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        var remaining = index
        var start = value.startIndex
        while start < value.endIndex {
            while start < value.endIndex, value[start] == UInt8(ascii: " ") { start += 1 }
            guard start < value.endIndex else { return nil }
            var end = start
            while end < value.endIndex, value[end] != UInt8(ascii: " ") { end += 1 }
            if remaining == 0 { return value[start..<end] }
            remaining -= 1
            start = end
        }
        return nil
    }
}
