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

    /// Names of the static RTP payload types (RFC 3551), for offers without `a=rtpmap`.
    static let staticPayloadNames: [Int: String] = [
        0: "PCMU", 3: "GSM", 4: "G723", 5: "DVI4", 6: "DVI4", 7: "LPC", 8: "PCMA", 9: "G722", 10: "L16", 11: "L16",
        12: "QCELP", 13: "CN", 14: "MPA", 15: "G728", 18: "G729", 25: "CelB", 26: "JPEG", 28: "nv", 31: "H261",
        32: "MPV", 33: "MP2T", 34: "H263",
    ]

    /// Parses an SDP body; nil when it has no media line.
    public init?(_ body: [UInt8]) {
        let text = String(decoding: body, as: UTF8.self)
        var sessionAddress: String?
        var sessionDirection = "sendrecv"
        var media: [Media] = []
        var payloads: [[Int]] = []
        var rtpmaps: [[Int: String]] = []
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = Substring(rawLine)
            guard line.count >= 2, line[line.index(after: line.startIndex)] == "=" else { continue }
            let value = line.dropFirst(2)
            switch line.first {
            case "s":
                sessionName = String(value).trimmingCharacters(in: " \t")
            case "c":
                let parts = value.split(separator: " ")
                guard parts.count >= 3 else { continue }
                let address = String(parts[2].split(separator: "/").first ?? parts[2])
                if media.isEmpty { sessionAddress = address } else { media[media.count - 1].address = address }
            case "m":
                let parts = value.split(separator: " ")
                guard parts.count >= 3 else { continue }
                let port = Int(parts[1].split(separator: "/").first ?? "") ?? 0
                media.append(
                    Media(type: String(parts[0]), address: nil, port: port, codecs: [], direction: sessionDirection))
                payloads.append(parts.dropFirst(3).compactMap { Int($0) })
                rtpmaps.append([:])
            case "a":
                if ["sendrecv", "sendonly", "recvonly", "inactive"].contains(String(value)) {
                    if media.isEmpty {
                        sessionDirection = String(value)
                    } else {
                        media[media.count - 1].direction = String(value)
                    }
                } else if value.hasPrefix("rtpmap:"), !media.isEmpty {
                    let mapping = value.dropFirst(7).split(separator: " ", maxSplits: 1)
                    if mapping.count == 2, let number = Int(mapping[0]) {
                        let name = mapping[1].split(separator: "/").first.map(String.init) ?? String(mapping[1])
                        rtpmaps[rtpmaps.count - 1][number] = name
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

    /// Where each accepted media stream's RTP is announced to arrive.
    public var mediaEndpoints: [Endpoint] {
        media.compactMap { item in
            guard item.port > 0, let text = item.address, let address = IPAddress(Substring(text)) else { return nil }
            return Endpoint(address: address, port: UInt16(clamping: item.port))
        }
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        let characters = Set(set)
        guard let first = firstIndex(where: { !characters.contains($0) }),
            let last = lastIndex(where: { !characters.contains($0) })
        else { return "" }
        return String(self[first...last])
    }
}
