import SigflowCore

/// The three client-log shapes sigflow reads (captures/whatsapp/FORMATS.md).
public enum WALogFormat: String, Hashable, Sendable {
    /// whatsmeow's stdout logger: `HH:MM:SS.mmm [Client/Recv DEBUG] <xml>`, time of day only.
    case whatsmeowText = "whatsmeow-text"
    /// whatsmeow through zerolog: JSON lines, `"sublogger":"Recv"`, the XML in `"message"`.
    case whatsmeowZerolog = "whatsmeow-zerolog"
    /// Baileys through pino: JSON lines, `"msg":"recv xml"` / `"xml send"`, the XML in `"xml"`.
    case baileysPino = "baileys-pino"

    /// The client library that wrote the log.
    public var library: String { self == .baileysPino ? "Baileys" : "whatsmeow" }
}

/// Which way a logged node went, seen from the logging device.
public enum WADirection: String, Hashable, Sendable {
    case send
    case recv
}

/// One thing a log says: a node the device sent or received, or a call status the application
/// printed (Baileys' `recv call event` blocks).
public struct WALogEntry: Hashable, Sendable {
    public enum Content: Hashable, Sendable {
        case node(WADirection, xml: String)
        /// `status: 'ringing'` in a `recv call event [...]` block; `line` is the status line.
        case callStatus(callID: String?, status: String, line: Int)
    }

    /// 1-based line numbers of the record's first and last line.
    public var line: Int
    public var endLine: Int
    /// UTC time, when the log says it (text logs only after their date is worked out).
    public var time: CaptureTime?
    public var content: Content

    public init(line: Int, endLine: Int, time: CaptureTime?, content: Content) {
        self.line = line
        self.endLine = endLine
        self.time = time
        self.content = content
    }
}

/// What reading a log gave: its entries in file order and what was odd about it.
public struct WALogReading: Sendable {
    public var format: WALogFormat
    public var entries: [WALogEntry]
    public var lineCount: Int
    public var diagnostics: [Diagnostic]
}

/// Splits a file into lines (LF, with a CR before it dropped), keeping bytes: garbage stays garbage
/// instead of failing the whole file.
enum LogLines {
    static func split(_ bytes: [UInt8]) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        for index in bytes.indices where bytes[index] == 0x0a {
            lines.append(trimCR(bytes[start..<index]))
            start = index + 1
        }
        if start < bytes.endIndex { lines.append(trimCR(bytes[start..<bytes.endIndex])) }
        return lines
    }

    static func trimCR(_ line: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        line.last == 0x0d ? line.dropLast() : line
    }

    /// Whether the file's last line lacks its newline (a log cut mid-write).
    static func lastLineUnterminated(_ bytes: [UInt8]) -> Bool { !bytes.isEmpty && bytes.last != 0x0a }
}
