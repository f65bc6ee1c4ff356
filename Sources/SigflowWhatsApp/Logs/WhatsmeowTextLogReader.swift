import SigflowCore

/// Reads whatsmeow's stdout log (`waLog.Stdout`): records start with `HH:MM:SS.mmm`, an optional ANSI
/// colour, ` [Module LEVEL] ` and the message; with `IndentXML` a node continues on the following
/// lines until its root closes. Lines that fit neither are junk and become diagnostics.
///
/// The lines carry only the local time of day. The date and UTC offset come from the first received
/// stanza with a `t` attribute (unix seconds): offset = time of day - t, rounded to 15 minutes. Without
/// one, `date` (days since 1970-01-01) dates the first record, in UTC. The time of day rolls over at
/// midnight, forwards and backwards from the anchor.
struct WhatsmeowTextLogReader {
    var date: Int?
    var fileName: String
    var captureIndex: Int

    struct Record {
        var line: Int
        var endLine: Int
        /// Milliseconds since local midnight.
        var timeOfDay: Int64
        var module: String
        var message: String
        var open: Bool
        var root: String?
    }

    static let levels: Set<String> = ["DEBUG", "INFO", "WARN", "ERROR"]

    func read(_ bytes: [UInt8]) -> WALogReading {
        var diagnostics: [Diagnostic] = []
        var records: [Record] = []
        let lines = LogLines.split(bytes)
        for (offset, raw) in lines.enumerated() {
            let number = offset + 1
            let line = String(decoding: raw, as: UTF8.self)
            if var record = Self.recordStart(line, number: number) {
                if record.message.hasSuffix("\u{1b}[0m") {
                    record.message.removeLast(4)
                    record.open = false
                } else {
                    record.open = record.root != nil && !Self.closes(record.message, root: record.root!)
                }
                records.append(record)
                continue
            }
            if var current = records.last, current.open {
                var text = line
                var closed = false
                if text.hasSuffix("\u{1b}[0m") {
                    text.removeLast(4)
                    closed = true
                }
                current.message += "\n" + text
                current.endLine = number
                current.open = !(closed || text == "</\(current.root ?? "")>")
                records[records.count - 1] = current
                continue
            }
            if !line.allSatisfy(\.isWhitespace) {
                diagnostics.append(
                    Diagnostic(
                        .note, "whatsapp_log_junk_line",
                        "\(fileName) line \(number): not a whatsmeow log record, skipped",
                        source: SourceRef(capture: captureIndex, frame: number)))
            }
        }
        let times = resolveTimes(records, diagnostics: &diagnostics)
        var entries: [WALogEntry] = []
        for (index, record) in records.enumerated() {
            guard let direction = Self.direction(ofModule: record.module), record.message.hasPrefix("<") else {
                continue
            }
            entries.append(
                WALogEntry(
                    line: record.line, endLine: record.endLine, time: times[index],
                    content: .node(direction, xml: record.message)))
        }
        return WALogReading(
            format: .whatsmeowText, entries: entries, lineCount: lines.count, diagnostics: diagnostics)
    }

    /// `Client/Recv` and `Recv` receive; `.../Send` sends; other modules log no nodes.
    static func direction(ofModule module: String) -> WADirection? {
        if module == "Recv" || module.hasSuffix("/Recv") { return .recv }
        if module == "Send" || module.hasSuffix("/Send") { return .send }
        return nil
    }

    /// Whether a one-line message already closes its root: `.../>` or `...</root>`.
    static func closes(_ message: String, root: String) -> Bool {
        message.hasSuffix("/>") || message.hasSuffix("</\(root)>")
    }

    /// `HH:MM:SS.mmm(ESC[..m)? [module LEVEL] message`, or nil.
    static func recordStart(_ line: String, number: Int) -> Record? {
        let bytes = Array(line.utf8.prefix(4096))
        guard bytes.count >= 16 else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                guard bytes[index] >= 0x30 && bytes[index] <= 0x39 else { return nil }
                value = value * 10 + Int(bytes[index] - 0x30)
            }
            return value
        }
        guard let hour = digits(0..<2), bytes[2] == 0x3a, let minute = digits(3..<5), bytes[5] == 0x3a,
            let second = digits(6..<8), bytes[8] == 0x2e, let millis = digits(9..<12)
        else { return nil }
        var index = 12
        if bytes[index] == 0x1b {
            guard index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "[") else { return nil }
            index += 2
            while index < bytes.count && (bytes[index] == 0x3b || (bytes[index] >= 0x30 && bytes[index] <= 0x39)) {
                index += 1
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "m") else { return nil }
            index += 1
        }
        guard index + 1 < bytes.count, bytes[index] == 0x20, bytes[index + 1] == UInt8(ascii: "[") else { return nil }
        let headStart = index + 2
        guard let close = bytes[headStart...].firstIndex(of: UInt8(ascii: "]")), close + 1 < bytes.count,
            bytes[close + 1] == 0x20
        else { return nil }
        let head = String(decoding: bytes[headStart..<close], as: UTF8.self)
        guard let space = head.lastIndex(of: " "), levels.contains(String(head[head.index(after: space)...])) else {
            return nil
        }
        let module = String(head[..<space])
        // The message is everything after "] ", taken from the full line (the prefix cap is for the head only).
        let messageStart = line.utf8.index(line.utf8.startIndex, offsetBy: close + 2)
        let message = String(line[messageStart...])
        let millisOfDay = Int64(((hour * 60 + minute) * 60 + second) * 1000 + millis)
        var root: String?
        if message.hasPrefix("<") {
            let name = message.dropFirst().prefix { $0.isLetter || $0.isNumber || "_:.-".contains($0) }
            if !name.isEmpty { root = String(name) }
        }
        return Record(
            line: number, endLine: number, timeOfDay: millisOfDay, module: module, message: message, open: false,
            root: root)
    }

    /// UTC times for every record.
    func resolveTimes(_ records: [Record], diagnostics: inout [Diagnostic]) -> [CaptureTime?] {
        guard !records.isEmpty else { return [] }
        let parser = WANodeParser()
        var anchor: (index: Int, local: Int64, offset: Int64)?
        for (index, record) in records.enumerated() where Self.direction(ofModule: record.module) == .recv {
            guard record.message.hasPrefix("<"), let node = parser.parse(record.message).node,
                let t = node["t"].flatMap({ Int64($0) }), t > 0, t < 9_000_000_000  // epoch seconds before 2255
            else { continue }
            let dayMillis: Int64 = 86_400_000
            let utcOfDay = (t % 86_400) * 1000
            var difference = ((record.timeOfDay - utcOfDay) % dayMillis + dayMillis) % dayMillis
            if difference > 14 * 3_600_000 { difference -= dayMillis }
            let quarter: Int64 = 900_000
            let offset = ((difference + (difference >= 0 ? quarter / 2 : -quarter / 2)) / quarter) * quarter
            // Local calendar time of the stanza as t says, then the day whose time of day matches best.
            let guess = t * 1000 + offset
            let guessDay = Self.floorDiv(guess, dayMillis)
            var best: Int64 = guessDay * dayMillis + record.timeOfDay
            for delta: Int64 in [-1, 1] {
                let candidate = (guessDay + delta) * dayMillis + record.timeOfDay
                if abs(candidate - guess) < abs(best - guess) { best = candidate }
            }
            anchor = (index, best, offset)
            break
        }
        if anchor == nil, let date {
            anchor = (0, Int64(date) * 86_400_000 + records[0].timeOfDay, 0)
        }
        if anchor == nil {
            // Undated: times of day on 1970-01-01 keep the order and the gaps, and say plainly they are undated.
            diagnostics.append(
                Diagnostic(
                    .warning, "whatsapp_log_undated",
                    "\(fileName): the log has only times of day and no received stanza with a t attribute; "
                        + "its times are shown on 1970-01-01 (give --date YYYY-MM-DD to date it)",
                    source: SourceRef(capture: captureIndex, frame: records[0].line)))
            anchor = (0, records[0].timeOfDay, 0)
        }
        guard let anchor else { return records.map { _ in nil } }
        var local = [Int64](repeating: 0, count: records.count)
        local[anchor.index] = anchor.local
        let day: Int64 = 86_400_000
        if anchor.index + 1 < records.count {
            for index in (anchor.index + 1)..<records.count {
                let delta = ((records[index].timeOfDay - records[index - 1].timeOfDay) % day + day) % day
                local[index] = local[index - 1] + delta
            }
        }
        for index in stride(from: anchor.index - 1, through: 0, by: -1) {
            let delta = ((records[index + 1].timeOfDay - records[index].timeOfDay) % day + day) % day
            local[index] = local[index + 1] - delta
        }
        // A hostile log (a t far in the future, or a million lines each a day after the last) must
        // not overflow the nanoseconds: clamp to what they can hold.
        let limit = Int64.max / 1_000_000 - 86_400_000
        return local.map { CaptureTime(nanoseconds: min(max($0 &- anchor.offset, -limit), limit) * 1_000_000) }
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }
}
