import SigflowCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads WhatsApp client debug logs (whatsmeow text, whatsmeow zerolog, Baileys pino; detected by
/// content) as evidence: each file is one device's view of the calls it took part in.
///
/// Every `<call>`, `<receipt>` and the `<ack>` answering them becomes a `SignalingMessage` (see
/// `WAStanzaMapper`); everything else in the log is ignored, and what cannot be read becomes a
/// diagnostic, never an error. The logging device is named by its own JID where the log shows it (a
/// Baileys `from`, the `call-creator` of an offer it sent, a receipt's `from`); otherwise it gets a
/// placeholder that `WhatsAppLogMerger` resolves against the other logs of the run.
public final class WhatsAppLogDecoder: EvidenceLogDecoder {
    public struct Limits: Sendable, Hashable {
        /// Bytes read from one log. Debug logs of a day's session run to tens of megabytes; beyond
        /// 256 MiB the rest is skipped with a diagnostic.
        public var maxFileBytes = 256 << 20
        public var node = WANodeParser.Limits()

        public init() {}
    }

    /// Days since 1970-01-01 (UTC) of the first line of a whatsmeow text log that has no received
    /// stanza with a `t` attribute (`--date`).
    public var date: Int?
    public var limits: Limits

    public init(date: Int? = nil, limits: Limits = Limits()) {
        self.date = date
        self.limits = limits
    }

    public func recognizes(_ prefix: [UInt8]) -> Bool { WALogSniffer.recognizes(prefix) }

    public func decode(path: String, captureIndex: Int, into sink: any SignalingSink) throws(EvidenceLogError) -> Int {
        guard let file = fopen(path, "rb") else {
            throw EvidenceLogError(path: path, reason: "cannot open: \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while bytes.count < limits.maxFileBytes {
            let count = fread(&chunk, 1, min(chunk.count, limits.maxFileBytes - bytes.count), file)
            if count <= 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
        }
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        if bytes.count >= limits.maxFileBytes {
            sink.report(
                Diagnostic(
                    .warning, "whatsapp_log_too_large",
                    "\(fileName): only the first \(limits.maxFileBytes >> 20) MiB were read"))
        }
        return decode(bytes: bytes, fileName: fileName, captureIndex: captureIndex, into: sink)
    }

    /// Decodes a log held in memory; returns its line count.
    @discardableResult
    public func decode(bytes: [UInt8], fileName: String, captureIndex: Int, into sink: any SignalingSink) -> Int {
        let reading = Self.read(bytes, fileName: fileName, captureIndex: captureIndex, date: date)
        for diagnostic in reading.diagnostics { sink.report(diagnostic) }
        let parser = WANodeParser(limits: limits.node)
        var nodes: [(entry: WALogEntry, direction: WADirection, xml: String, node: WANode)] = []
        var truncatedLines: [Int] = []
        for entry in reading.entries {
            guard case .node(let direction, let xml) = entry.content else { continue }
            let result = parser.parse(xml)
            if result.truncated { truncatedLines.append(entry.line) }
            guard let node = result.node, ["call", "ack", "receipt"].contains(node.tag) else { continue }
            nodes.append((entry, direction, xml, node))
        }
        for line in truncatedLines.prefix(5) {
            sink.report(
                Diagnostic(
                    .note, "whatsapp_node_truncated",
                    "\(fileName) line \(line): the node is cut off; read what is there",
                    source: SourceRef(capture: captureIndex, frame: line)))
        }
        var context = Self.context(
            for: nodes.map { ($0.direction, $0.node) }, format: reading.format, fileName: fileName,
            captureIndex: captureIndex)
        for item in nodes where item.node.tag != "ack" {
            if let callID = item.node.children.first?["call-id"], let id = item.node["id"] {
                context.stanzas[WALogContext.stanzaKey(item.direction, id)] = (callID, item.node.children[0].tag)
            }
        }
        let nodeByLine = Dictionary(nodes.map { ($0.entry.line, $0) }, uniquingKeysWith: { first, _ in first })
        for entry in reading.entries {
            switch entry.content {
            case .node:
                guard let item = nodeByLine[entry.line] else { continue }
                if let message = WAStanzaMapper.message(
                    node: item.node, direction: item.direction, entry: entry, xml: item.xml, context: context)
                {
                    sink.deliver(message)
                } else if item.node.tag != "ack" {
                    sink.report(
                        Diagnostic(
                            .note, "whatsapp_stanza_without_call_id",
                            "\(fileName) line \(entry.line): <\(item.node.tag)> has no action child with a call-id",
                            source: SourceRef(capture: captureIndex, frame: entry.line)))
                }
            case .callStatus(let callID, let status, _):
                guard status == "ringing", let callID else { continue }
                sink.deliver(
                    WAStanzaMapper.statusMessage(callID: callID, status: status, entry: entry, context: context))
            }
        }
        return reading.lineCount
    }

    static func read(_ bytes: [UInt8], fileName: String, captureIndex: Int, date: Int?) -> WALogReading {
        let lines = LogLines.split(Array(bytes.prefix(1 << 20)))
        if let format = JSONLogReader.sniff(lines) {
            return JSONLogReader(format: format, fileName: fileName, captureIndex: captureIndex).read(bytes)
        }
        return WhatsmeowTextLogReader(date: date, fileName: fileName, captureIndex: captureIndex).read(bytes)
    }

    /// Who the logging device is: the device that sent an offer is its `call-creator`; a receipt it
    /// sends names it in `from`, and so does a Baileys `<call>` send (`creds.me.id`). whatsmeow's
    /// `RejectCall` puts the user's bare JID in `from`, which would read as the phone, so a
    /// whatsmeow `<call from>` is not trusted.
    static func context(
        for nodes: [(WADirection, WANode)], format: WALogFormat, fileName: String, captureIndex: Int
    ) -> WALogContext {
        let sent = nodes.filter { $0.0 == .send && $0.1.tag != "ack" }.map(\.1)
        let creator = sent.first { $0.tag == "call" && $0.children.first?.tag == "offer" }
            .flatMap { WAParty.deviceKey($0.children.first?["call-creator"]) }
        let receipt = sent.first { $0.tag == "receipt" && WAParty.deviceKey($0["from"]) != nil }
            .flatMap { WAParty.deviceKey($0["from"]) }
        let baileys =
            format == .baileysPino
            ? sent.first { $0.tag == "call" && WAParty.deviceKey($0["from"]) != nil }.flatMap {
                WAParty.deviceKey($0["from"])
            } : nil
        let own = creator ?? receipt ?? baileys
        let device =
            own.map { WAParty.device($0, agent: format.library) }
            ?? WAParty.unnamedDevice(file: fileName, agent: format.library)
        return WALogContext(
            captureIndex: captureIndex, fileName: fileName, library: format.library, device: device,
            deviceKnown: own != nil)
    }
}
