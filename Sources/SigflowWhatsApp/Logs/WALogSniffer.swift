/// Tells, from the first bytes of a file, whether it is a WhatsApp client log sigflow reads: a
/// whatsmeow stdout record (`HH:MM:SS.mmm [Module LEVEL] `), or a JSON line that only whatsmeow's
/// zerolog adapter or Baileys' pino logger write (`"sublogger"`, `"component":"whatsmeow"`,
/// `"msg":"recv xml"`, `"xml":"<`, ...). Pcap and pcapng files start with binary magic and never match.
enum WALogSniffer {
    static let jsonMarkers = [
        "\"sublogger\":\"", "\"component\":\"whatsmeow\"", "\"msg\":\"recv xml\"", "\"msg\":\"xml send\"",
        "\"xml\":\"<", "\"message\":\"<",
    ].map { Array($0.utf8) }

    static func recognizes(_ prefix: [UInt8]) -> Bool {
        guard !prefix.isEmpty else { return false }
        // Binary capture formats: pcap magic (both byte orders, both resolutions), pcapng, gzip.
        let magics: [[UInt8]] = [
            [0xd4, 0xc3, 0xb2, 0xa1], [0xa1, 0xb2, 0xc3, 0xd4], [0x4d, 0x3c, 0xb2, 0xa1], [0xa1, 0xb2, 0x3c, 0x4d],
            [0x0a, 0x0d, 0x0d, 0x0a], [0x1f, 0x8b],
        ]
        if magics.contains(where: { prefix.starts(with: $0) }) { return false }
        for line in LogLines.split(prefix).prefix(40) {
            if line.first == UInt8(ascii: "{") {
                if jsonMarkers.contains(where: { contains(line, $0) }) { return true }
            } else if WhatsmeowTextLogReader.recordStart(String(decoding: line, as: UTF8.self), number: 0) != nil {
                return true
            }
        }
        return false
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var index = haystack.startIndex
        while index <= haystack.endIndex - needle.count {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return true
            }
            index += 1
        }
        return false
    }
}
