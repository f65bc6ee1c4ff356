import SigflowChecks
import SigflowCore
import SigflowCorrelator
import SigflowFraming
import SigflowMedia
import SigflowProtocols
import SigflowTLS

/// The middle of the pipeline as one object: feed it packets (or log files), then ask for the calls.
/// `CallsJob` drives it from captures; it also serves embedding and fuzzing.
public final class SignalingDecoder {
    public let configuration: PipelineConfiguration
    private let collector: MessageCollector
    private let registry: DecoderRegistry
    private let dissector: PacketDissector
    private let table: FlowTable
    /// The registry's media tracker, used for nearly every packet of a call capture: unretained, so
    /// counting a packet does not retain and release it (the registry owns it for the decoder's life).
    private let media: Unmanaged<MediaTracker>
    private var calls: [Call] = []
    private let summaries = CallSummaryStore()
    private var legLinks = SummaryLegLinks()
    private var extraDiagnostics = DiagnosticLog()
    private let policies = Protocols.policies
    private let checker = Checker(rules: Protocols.rules)
    /// Packets that were UDP or TCP, for the message of a run that finds no call. Unchecked: it is
    /// counted for every packet, and only this class's one reading thread touches it.
    @exclusivity(unchecked) public private(set) var transportPackets = 0

    /// - Parameter captureCount: how many inputs feed this decoder; with more than one, every call is
    ///   kept until the end so their clocks can be aligned.
    public init(configuration: PipelineConfiguration, captureCount: Int) {
        self.configuration = configuration
        let full = configuration.detail == .full
        collector = MessageCollector(
            maxOpenCalls: captureCount <= 1 ? configuration.limits.maxOpenCalls : nil, policies: Protocols.policies)
        registry = DecoderRegistry(
            sink: collector, detailed: full, logDate: configuration.logDate, keyLogs: configuration.keyLogs)
        dissector = PacketDissector(limits: configuration.limits)
        table = FlowTable(limits: configuration.limits, classifier: registry, tracksUDP: false)
        media = Unmanaged.passUnretained(registry.media)
    }

    /// More TLS secrets met while reading (a pcapng Decryption Secrets Block), as key log text:
    /// connections whose handshake comes later are decrypted with them.
    public func addTLSKeyLog(text: String) {
        registry.tls.add(keyLogText: text)
    }

    /// Decoders for evidence logs, tried in order on each input file.
    public var logDecoders: [any EvidenceLogDecoder] { registry.logDecoders }

    /// Reads a log file as evidence; returns how many lines it held.
    public func decodeLog(
        path: String, captureIndex: Int, with decoder: any EvidenceLogDecoder
    ) throws(EvidenceLogError)
        -> Int
    {
        try decoder.decode(path: path, captureIndex: captureIndex, into: collector)
    }

    /// Reads a log held in memory (given on standard input); returns how many lines it held.
    public func decodeLog(
        bytes: [UInt8], name: String, captureIndex: Int, with decoder: any EvidenceLogDecoder
    ) -> Int {
        decoder.decode(bytes: bytes, fileName: name, captureIndex: captureIndex, into: collector)
    }

    /// One captured frame. Media and other traffic nobody decodes is dropped after a glance.
    @inline(__always)
    public func decode(_ packet: CapturedPacket) {
        if let first = PacketDissector.udpPayloadFirstByte(packet) {
            switch registry.interest(inDatagramStartingWith: first) {
            case .none:
                transportPackets &+= 1
                return
            case .mediaCount:
                // RTP to announced endpoints is most of a call capture: counted from its headers.
                if let datagram = PacketDissector.plainUDPv4(packet) {
                    transportPackets &+= 1
                    media._withUnsafeGuaranteedRef {
                        $0.datagram(
                            to: datagram.destination, from: datagram.source, bytes: datagram.payloadCount,
                            stamp: packet.stamp)
                    }
                    return
                }
            case .decode:
                break
            }
        }
        guard let transport = dissector.dissect(packet) else { return }
        transportPackets &+= 1
        decode(transport)
    }

    /// One UDP datagram or TCP segment.
    public func decode(_ transport: TransportPacket) {
        if transport.transport == .udp {
            registry.decodeDatagram(transport)
        } else {
            table.add(transport)
        }
        if collector.hasFinished { finishCollected() }
    }

    /// Correlates the calls the collector finished: each on its own, as it ended.
    private func finishCollected() {
        for batch in collector.takeFinished() {
            let groups = batch.calls.flatMap { prepared([$0 + registry.media.finish(call: $0)]) }
            finishCalls(groups, offsets: [], captureEnd: batch.now)
        }
    }

    /// A diagnostic of the run itself (not of a decoder or stream).
    func report(_ diagnostic: Diagnostic) { extraDiagnostics.append(diagnostic) }

    /// The messages still held, per call (for clock alignment and the end of the run).
    var heldMessages: [[SignalingMessage]] { collector.remaining() }

    /// What the run holds now, the state that must not grow with the capture's length: open calls
    /// and media endpoints watched.
    var heldState: (openCalls: Int, watchedEndpoints: Int) { (collector.openCount, registry.media.watchedEndpoints) }

    /// Ends the run: closes every stream, correlates the calls still open, checks them, ties legs.
    public func finish(
        captureCount: Int, captureEnd: CaptureTime?
    ) -> (
        calls: [Call], summaries: CallSummaryStore, clockOffsets: [ClockOffset], tls: TLSSummary?
    ) {
        table.finish()
        registry.finish()
        finishCollected()
        let tls = registry.tls.finish()
        let held = prepared(collector.remaining().map { $0 + registry.media.finish(call: $0) })
        let offsets = CallCorrelator.clockOffsets(held.flatMap { $0 }, captureCount: captureCount)
        finishCalls(held, offsets: offsets, captureEnd: captureEnd)
        if configuration.detail == .full {
            CallCorrelator.linkLegs(&calls)
            calls.sort { ($0.timing.start, $0.callID) < ($1.timing.start, $1.callID) }
        }
        summaries.linkedCallIDs = legLinks.links(summaries)
        return (calls, summaries, offsets, tls)
    }

    public var diagnostics: DiagnosticLog {
        var log = table.diagnostics
        dissector.undecodedDiagnostics.forEach { log.append($0) }
        log.append(contentsOf: collector.diagnostics)
        log.append(contentsOf: extraDiagnostics)
        return log
    }

    /// The calls' messages as their protocols read them before correlation (`CallPolicy.prepare`:
    /// client logs merged, hops the capture missed inferred), protocol by protocol, each protocol's
    /// calls in the order given.
    private func prepared(_ calls: [[SignalingMessage]]) -> [[SignalingMessage]] {
        var byProtocol: [SignalingProtocol: [[SignalingMessage]]] = [:]
        for call in calls where !call.isEmpty { byProtocol[call[0].signalingProtocol, default: []].append(call) }
        var result: [[SignalingMessage]] = []
        for signalingProtocol in byProtocol.keys.sorted() {
            let prepared = policies[signalingProtocol].prepare(byProtocol[signalingProtocol]!)
            for diagnostic in prepared.diagnostics { extraDiagnostics.append(diagnostic) }
            result += prepared.calls
        }
        return result
    }

    /// Correlates calls from their messages on every core, reviews them, checks them in full detail
    /// (rules about how calls interact, such as glare, see the calls finished together) and keeps
    /// them. Summaries are made a few hundred calls at a time: the full calls of an eviction or of
    /// the end of a scanner flood (thousands) held at once would outweigh the summaries kept.
    private func finishCalls(_ groups: [[SignalingMessage]], offsets: [ClockOffset], captureEnd: CaptureTime?) {
        let full = configuration.detail == .full
        let chunkSize = full ? max(groups.count, 1) : 256
        for start in stride(from: 0, to: groups.count, by: chunkSize) {
            var calls = Array(groups[start..<min(start + chunkSize, groups.count)]).concurrentMap { messages in
                let policy = policies[messages[0].signalingProtocol]
                return policy.review(
                    CallCorrelator.call(
                        from: messages, offsets: offsets, captureEnd: captureEnd, policy: policy, detailed: full))
            }
            if full { calls = checker.check(calls, context: CheckContext(captureEnd: captureEnd)) }
            calls.forEach(keep)
        }
    }

    private func keep(_ call: Call) {
        let summary = CallSummary(call)
        legLinks.note(summary)
        summaries.append(summary)
        if configuration.detail == .full { calls.append(call) }
    }
}
