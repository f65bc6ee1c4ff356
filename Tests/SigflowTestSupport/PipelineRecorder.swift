import SigflowCapture
import SigflowCore
import SigflowFraming

/// One thing a TCP connection handed its consumer: bytes, a gap or an end, with the packet that
/// caused it.
public struct StreamEvent: Equatable, CustomStringConvertible {
    public enum Kind: Equatable {
        case bytes([UInt8])
        case gap(Int?)
        case end(StreamEndReason)
    }

    public var kind: Kind
    public var direction: StreamDirection
    public var stamp: PacketStamp

    public var frame: Int { stamp.source.frame }

    /// `bytes "text" @3`, `gap 5 @4`, `end fin @9`: short enough to compare whole logs in a test.
    public var description: String {
        switch kind {
        case .bytes(let bytes):
            let printable = bytes.allSatisfy { (0x20..<0x7f).contains($0) || $0 == 0x0a || $0 == 0x0d }
            let text = printable ? "\"\(String(decoding: bytes, as: UTF8.self))\"" : "\(bytes.count)B"
            return "bytes \(text) @\(frame)"
        case .gap(let size):
            return "gap \(size.map(String.init) ?? "?") @\(frame)"
        case .end(let reason):
            return "end \(reason.rawValue) @\(frame)"
        }
    }
}

/// A consumer that records everything one TCP connection delivers.
public final class RecordedStream: StreamConsumer {
    public let info: StreamInfo
    public private(set) var events: [StreamEvent] = []

    init(info: StreamInfo) {
        self.info = info
    }

    public func receive(_ bytes: UnsafeRawBufferPointer, direction: StreamDirection, stamp: PacketStamp) {
        events.append(StreamEvent(kind: .bytes(Array(bytes)), direction: direction, stamp: stamp))
    }

    public func gap(_ byteCount: Int?, direction: StreamDirection, stamp: PacketStamp) {
        events.append(StreamEvent(kind: .gap(byteCount), direction: direction, stamp: stamp))
    }

    public func end(_ reason: StreamEndReason, direction: StreamDirection, stamp: PacketStamp) {
        events.append(StreamEvent(kind: .end(reason), direction: direction, stamp: stamp))
    }

    /// Nothing waits for more bytes here: the recording is the test's output, not a message buffer.
    public var bufferedBytes: Int { 0 }

    /// The events of one direction, in order.
    public func events(_ direction: StreamDirection) -> [StreamEvent] { events.filter { $0.direction == direction } }

    /// The event log of one direction as text (see `StreamEvent.description`).
    public func log(_ direction: StreamDirection) -> [String] { events(direction).map(\.description) }

    /// Every byte delivered in one direction, concatenated.
    public func bytes(_ direction: StreamDirection) -> [UInt8] {
        events(direction).flatMap { event -> [UInt8] in
            if case .bytes(let bytes) = event.kind { return bytes }
            return []
        }
    }

    /// The delivered chunks of one direction with the frame that made each deliverable.
    public func chunks(_ direction: StreamDirection) -> [(bytes: [UInt8], frame: Int)] {
        events(direction).compactMap { event in
            if case .bytes(let bytes) = event.kind { return (bytes, event.frame) }
            return nil
        }
    }

    /// The gaps of one direction: size (nil when unknown) and frame.
    public func gaps(_ direction: StreamDirection) -> [(size: Int?, frame: Int)] {
        events(direction).compactMap { event in
            if case .gap(let size) = event.kind { return (size, event.frame) }
            return nil
        }
    }

    /// How the direction ended (nil while it has not).
    public func endReason(_ direction: StreamDirection) -> StreamEndReason? {
        for event in events(direction) {
            if case .end(let reason) = event.kind { return reason }
        }
        return nil
    }
}

/// Hands every TCP connection to a fresh `RecordedStream`, after answering `.undecided` for its first
/// `undecidedChunks` chunks (to test what a consumer picked late is told).
public final class RecordingClassifier: StreamClassifier {
    public private(set) var streams: [RecordedStream] = []
    public let undecidedChunks: Int
    private var asked: [StreamInfo: Int] = [:]

    public init(undecidedChunks: Int = 0) {
        self.undecidedChunks = undecidedChunks
    }

    public func classify(
        _ stream: StreamInfo, direction: StreamDirection, firstBytes: UnsafeRawBufferPointer
    )
        -> StreamClassification
    {
        asked[stream, default: 0] += 1
        if asked[stream]! <= undecidedChunks { return .undecided }
        let recorded = RecordedStream(info: stream)
        streams.append(recorded)
        return .consume(recorded)
    }
}

/// A transport packet as the dissector produced it, copied out of the borrowed buffers.
public struct DissectedPacket: Equatable {
    public var transport: TransportProtocol
    public var source: Endpoint
    public var destination: Endpoint
    public var payload: [UInt8]
    public var missingPayloadBytes: Int
    public var tcp: TCPFields
    public var stamp: PacketStamp
    public var wireLength: Int
    public var fragmentCount: Int

    public var frame: Int { stamp.source.frame }
}

/// Everything a run of capture -> dissector -> flow table produced.
public struct PipelineRun {
    /// Conversations in the order they ended (evictions first, the rest by first packet).
    public var flows: [FlowSummary]
    /// TCP connections in the order they were first classified.
    public var streams: [RecordedStream]
    /// Every UDP datagram and TCP segment the dissector returned, in capture order.
    public var packets: [DissectedPacket]
    /// The reader's diagnostics, then the flow table's.
    public var diagnostics: DiagnosticLog
    /// An error that stopped reading part-way (packets before it were processed).
    public var error: CaptureError?
    public var captures: [CaptureSummary]
    public var droppedFragmentedDatagrams: Int

    /// The only TCP connection; traps when there is not exactly one.
    public var stream: RecordedStream {
        precondition(streams.count == 1, "expected one TCP stream, got \(streams.count)")
        return streams[0]
    }

    /// The only conversation; traps when there is not exactly one.
    public var flow: FlowSummary {
        precondition(flows.count == 1, "expected one flow, got \(flows.count): \(flows.map(\.a))")
        return flows[0]
    }

    /// The names of the diagnostics, in order.
    public var diagnosticNames: [String] { diagnostics.entries.map(\.name) }
}

/// Runs `inputs` through `CaptureReader`, `PacketDissector` and `FlowTable` (tracking UDP, every TCP
/// connection recorded). Throws only when an input cannot be opened; an error part-way through is in
/// `PipelineRun.error`.
public func runPipeline(
    _ inputs: [CaptureInput], filter: String? = nil, limits: ReassemblyLimits = ReassemblyLimits(),
    classifier: RecordingClassifier = RecordingClassifier()
) throws(CaptureError) -> PipelineRun {
    let reader = try CaptureReader(inputs: inputs, filter: filter)
    let dissector = PacketDissector(limits: limits)
    let table = FlowTable(limits: limits, classifier: classifier, tracksUDP: true)
    var flows: [FlowSummary] = []
    table.onFlowEnd = { flows.append($0) }
    var packets: [DissectedPacket] = []
    var error: CaptureError?
    do {
        try reader.forEachPacket { packet in
            guard let transport = dissector.dissect(packet) else { return }
            packets.append(
                DissectedPacket(
                    transport: transport.transport, source: transport.source, destination: transport.destination,
                    payload: Array(transport.payload), missingPayloadBytes: transport.missingPayloadBytes,
                    tcp: transport.tcp, stamp: transport.stamp, wireLength: transport.wireLength,
                    fragmentCount: transport.fragmentCount))
            table.add(transport)
        }
    } catch let caught {
        error = caught
    }
    table.finish()
    var diagnostics = reader.diagnostics
    diagnostics.append(contentsOf: table.diagnostics)
    return PipelineRun(
        flows: flows, streams: classifier.streams, packets: packets, diagnostics: diagnostics, error: error,
        captures: reader.summaries, droppedFragmentedDatagrams: dissector.droppedFragmentedDatagrams)
}

/// Writes `capture` to a temporary file and runs it through the pipeline.
public func runPipeline(
    capture: [UInt8], name: String = "fixture.pcap", filter: String? = nil,
    limits: ReassemblyLimits = ReassemblyLimits(), classifier: RecordingClassifier = RecordingClassifier()
) throws(CaptureError) -> PipelineRun {
    let directory = TemporaryDirectory()
    let path = directory.write(capture, to: name)
    return try runPipeline([.file(path)], filter: filter, limits: limits, classifier: classifier)
}

/// Runs a fixture through the pipeline.
public func runPipeline(
    _ fixture: Fixture, filter: String? = nil, limits: ReassemblyLimits = ReassemblyLimits(),
    classifier: RecordingClassifier = RecordingClassifier()
) throws(CaptureError) -> PipelineRun {
    try runPipeline(capture: fixture.bytes, filter: filter, limits: limits, classifier: classifier)
}
