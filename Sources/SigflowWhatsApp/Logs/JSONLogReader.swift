import SigflowCore

/// Reads the two JSON-lines shapes: whatsmeow through zerolog (`"sublogger":"Recv"`, the node in
/// `"message"`) and Baileys through pino (`"msg":"recv xml"`, the node in `"xml"`). Lines that are not
/// JSON are skipped with a diagnostic, except the `recv call event [...]` blocks the Baileys example
/// prints to the same stream, whose `status:` is kept (rule W13).
struct JSONLogReader {
    var format: WALogFormat
    var fileName: String
    var captureIndex: Int

    /// The format of a JSON-lines log: the first object with a numeric `level` or a `msg` is pino,
    /// one with a string `level` or a `message` is zerolog; nil when no line is a JSON object.
    static func sniff(_ lines: [ArraySlice<UInt8>]) -> WALogFormat? {
        for line in lines.prefix(50) where line.first == UInt8(ascii: "{") {
            guard let object = object(line) else { continue }
            let level = object["level"]
            if object["msg"] != nil || level?.integer != nil || level.map(Self.isNumber) == true { return .baileysPino }
            if object["message"] != nil || level?.string != nil { return .whatsmeowZerolog }
        }
        return nil
    }

    /// A line's JSON object, or nil when the line is not one.
    static func object(_ line: ArraySlice<UInt8>) -> JSONValue? {
        guard let value = try? JSONValue(parsing: line), value.object != nil else { return nil }
        return value
    }

    static func isNumber(_ value: JSONValue) -> Bool {
        switch value {
        case .int, .number: return true
        default: return false
        }
    }

    func read(_ bytes: [UInt8]) -> WALogReading {
        let lines = LogLines.split(bytes)
        var entries: [WALogEntry] = []
        var diagnostics: [Diagnostic] = []
        var lastTime: CaptureTime?
        var block: (callID: String?, status: String?, statusLine: Int)?
        func note(_ name: String, _ text: String, line: Int) {
            diagnostics.append(
                Diagnostic(
                    .note, name, "\(fileName) line \(line): \(text)",
                    source: SourceRef(capture: captureIndex, frame: line)))
        }
        for (offset, line) in lines.enumerated() {
            let number = offset + 1
            if line.first == UInt8(ascii: "{") {
                guard let object = Self.object(line) else {
                    let isLast = number == lines.count && LogLines.lastLineUnterminated(bytes)
                    note(
                        isLast ? "whatsapp_log_truncated" : "whatsapp_log_unreadable_line",
                        isLast ? "the last line is cut off, skipped" : "not valid JSON, skipped", line: number)
                    continue
                }
                let time = Self.time(object["time"])
                if let time { lastTime = time }
                guard let (direction, xml) = stanza(object), xml.hasPrefix("<") else { continue }
                entries.append(
                    WALogEntry(
                        line: number, endLine: number, time: time ?? lastTime, content: .node(direction, xml: xml)))
                continue
            }
            let trimmed = line.drop { $0 == 0x20 || $0 == 0x09 }.reversed().drop {
                $0 == 0x20 || $0 == 0x09 || $0 == 0x0D
            }
            let text = String(decoding: trimmed.reversed(), as: UTF8.self)
            if format == .baileysPino && text.hasPrefix("recv call event [") {
                block = (nil, nil, number)
                continue
            }
            if var current = block {
                if text.hasPrefix("id:") {
                    current.callID = Self.quotedValue(text)
                } else if text.hasPrefix("status:") {
                    current.status = Self.quotedValue(text)
                    current.statusLine = number
                } else if text == "]" {
                    if let status = current.status {
                        entries.append(
                            WALogEntry(
                                line: current.statusLine, endLine: current.statusLine,
                                time: lastTime?.adding(nanoseconds: 1000),
                                content: .callStatus(callID: current.callID, status: status, line: current.statusLine)))
                    }
                    block = nil
                    continue
                }
                block = current
                continue
            }
            if !text.isEmpty { note("whatsapp_log_junk_line", "not a JSON log line, skipped", line: number) }
        }
        return WALogReading(format: format, entries: entries, lineCount: lines.count, diagnostics: diagnostics)
    }

    /// The node a line logs, with its direction.
    func stanza(_ object: JSONValue) -> (WADirection, String)? {
        switch format {
        case .baileysPino:
            guard let xml = object["xml"]?.string, let msg = object["msg"]?.string else { return nil }
            if msg == "recv xml" { return (.recv, xml) }
            if msg == "xml send" { return (.send, xml) }
            return nil
        default:
            guard let sublogger = object["sublogger"]?.string, let message = object["message"]?.string,
                let direction = WhatsmeowTextLogReader.direction(ofModule: sublogger)
            else { return nil }
            return (direction, message)
        }
    }

    /// `'value'` after `key: `, as util.inspect prints strings.
    static func quotedValue(_ text: String) -> String? {
        guard let open = text.firstIndex(of: "'"), let close = text.lastIndex(of: "'"), open < close else {
            return nil
        }
        return String(text[text.index(after: open)..<close])
    }

    /// RFC 3339 text (any fraction, `Z` or an offset), or a number of unix seconds, milliseconds,
    /// microseconds or nanoseconds (told apart by size).
    static func time(_ value: JSONValue?) -> CaptureTime? {
        if let text = value?.string { return RFC3339.parse(text) }
        let double: Double
        switch value {
        case .int(let number)?: double = Double(number)
        case .number(let text)?: double = Double(text) ?? .nan
        default: return nil
        }
        guard double.isFinite, double > 0 else { return nil }
        if double < 1e11 { return CaptureTime(seconds: double) }
        if double < 1e14 { return CaptureTime(nanoseconds: Int64(double * 1e6)) }
        if double < 1e17 { return CaptureTime(nanoseconds: Int64(double * 1e3)) }
        return CaptureTime(nanoseconds: Int64(min(double, 9e18)))
    }
}

/// `2026-03-12T14:07:12.200318Z`, `2026-03-15T19:22:40.479277+01:00`, whole seconds too.
enum RFC3339 {
    static func parse(_ text: String) -> CaptureTime? {
        let bytes = Array(text.utf8)
        guard bytes.count >= 20, bytes.count <= 40 else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for index in range {
                guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), bytes[4] == 0x2d, let month = number(5..<7), bytes[7] == 0x2d,
            let day = number(8..<10), bytes[10] == UInt8(ascii: "T") || bytes[10] == 0x20,
            let hour = number(11..<13), bytes[13] == 0x3a, let minute = number(14..<16), bytes[16] == 0x3a,
            let second = number(17..<19), (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60,
            second < 61
        else { return nil }
        var index = 19
        var nanos: Int64 = 0
        if index < bytes.count && bytes[index] == 0x2e {
            index += 1
            var digits = 0
            while index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 {
                if digits < 9 {
                    nanos = nanos * 10 + Int64(bytes[index] - 0x30)
                    digits += 1
                }
                index += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits..<9 { nanos *= 10 }
        }
        guard index < bytes.count else { return nil }
        var offsetSeconds = 0
        if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            guard index + 1 == bytes.count else { return nil }
        } else if bytes[index] == 0x2b || bytes[index] == 0x2d {
            guard index + 6 == bytes.count, let hours = number((index + 1)..<(index + 3)), bytes[index + 3] == 0x3a,
                let minutes = number((index + 4)..<(index + 6))
            else { return nil }
            offsetSeconds = (hours * 60 + minutes) * 60 * (bytes[index] == 0x2d ? -1 : 1)
        } else {
            return nil
        }
        let days = CaptureTime.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return CaptureTime(seconds: seconds, nanoseconds: nanos)
    }
}
