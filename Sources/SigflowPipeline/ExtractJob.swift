import SigflowCapture
import SigflowCore
import SigflowFraming

/// Which frames of the captures belong to a set of calls: what `sigflow extract` copies.
public struct CallPackets: Sendable {
    /// Every frame that carried a step, in every capture, retransmissions included.
    public var frames: Set<SourceRef> = []
    /// Media streams and their RTCP (the next port up), with the times of the calls they belong to.
    public var conversations: [ConversationKey: [ClosedRange<CaptureTime>]] = [:]
    /// The directions of TCP connections that carried the calls' messages: a message's earlier
    /// segments are found from the frame that completed it (`ExtractJob`).
    public var streams: Set<Direction> = []

    public struct Direction: Hashable, Sendable {
        public let source: Endpoint
        public let destination: Endpoint
    }

    /// Both directions of a conversation, the lower endpoint first.
    public struct ConversationKey: Hashable, Sendable {
        public let transport: TransportProtocol
        public let low: Endpoint
        public let high: Endpoint

        public init(_ transport: TransportProtocol, _ one: Endpoint, _ other: Endpoint) {
            self.transport = transport
            (low, high) = one < other ? (one, other) : (other, one)
        }
    }

    public init(_ calls: [Call]) {
        for call in calls {
            let window = call.timing.start...max(call.timing.start, call.timing.end)
            for step in call.steps {
                for sighting in step.sightings + step.retransmissions where step.message.confidence == .observed {
                    frames.insert(sighting.source)
                }
                let message = step.message
                if let media = message.detail as? MediaDetail {
                    add(ConversationKey(.udp, media.from, media.to), window)
                    if media.from.port < .max, media.to.port < .max {
                        add(
                            ConversationKey(
                                .udp, Endpoint(address: media.from.address, port: media.from.port + 1),
                                Endpoint(address: media.to.address, port: media.to.port + 1)), window)
                    }
                } else if message.transport != .udp, message.confidence == .observed,
                    let from = message.sender.endpoint, let to = message.receiver.endpoint
                {
                    streams.insert(Direction(source: from, destination: to))
                }
            }
        }
    }

    private mutating func add(_ key: ConversationKey, _ window: ClosedRange<CaptureTime>) {
        conversations[key, default: []].append(window)
    }

    /// The media packet of a call, while it lasted.
    func isMedia(_ transport: TransportPacket) -> Bool {
        guard transport.transport == .udp,
            let windows = conversations[ConversationKey(.udp, transport.source, transport.destination)]
        else { return false }
        return windows.contains { $0.contains(transport.stamp.time) }
    }
}

/// Copies the frames of chosen calls out of their captures, reading them a second time.
public enum ExtractJob {
    public enum Failure: Error, CustomStringConvertible {
        case capture(CaptureError)
        case write(CaptureWriter.WriteError)

        public var description: String {
            switch self {
            case .capture(let error): return "\(error)"
            case .write(let error): return error.description
            }
        }
    }

    /// Writes every frame of `packets` from the capture files of `configuration` in `format`, in
    /// the order the reader merges them (capture time), handing the bytes to `emit`, and returns
    /// how many frames it wrote. The inputs at `logs` (client logs, `CallsResult.logs`) are
    /// skipped: they have no frames.
    public static func copy(
        _ packets: CallPackets, from configuration: PipelineConfiguration, skipping logs: Set<Int>,
        format: CaptureWriter.Format, emit: ([UInt8]) -> Void
    ) throws(Failure) -> Int {
        let indices = configuration.inputs.indices.filter { !logs.contains($0) }
        let segments = try messageSegments(packets, indices: indices, configuration: configuration)
        let reader = try Self.reader(indices: indices, configuration: configuration)
        let dissector = PacketDissector(limits: configuration.limits)
        var writer = CaptureWriter(format: format)
        var failure: CaptureWriter.WriteError?
        do {
            try reader.forEachPacket { packet in
                guard failure == nil else { return }
                let source = packet.stamp.source
                guard
                    packets.frames.contains(source) || segments.contains(source)
                        || (!packets.conversations.isEmpty && dissector.dissect(packet).map(packets.isMedia) == true)
                else { return }
                do throws(CaptureWriter.WriteError) {
                    try writer.write(packet, emit: emit)
                } catch {
                    failure = error
                }
            }
        } catch {
            throw .capture(error)
        }
        if let failure { throw .write(failure) }
        writer.finish(linkType: reader.summaries.first?.linkType ?? .ethernet, emit: emit)
        return writer.frames
    }

    /// The frames of the segments that carried the calls' TCP messages: a first reading collects,
    /// per direction of each connection, the segments with payload since the last frame that
    /// completed one of the calls' messages, and keeps them when the next one does. A message is at
    /// most 1 MiB (SIP's limit), so what is waiting is dropped past that: on a connection several
    /// calls share, the segments of other calls' messages in between come along within that bound.
    static func messageSegments(
        _ packets: CallPackets, indices: [Int], configuration: PipelineConfiguration
    ) throws(Failure) -> Set<SourceRef> {
        guard !packets.streams.isEmpty else { return [] }
        let reader = try reader(indices: indices, configuration: configuration)
        let dissector = PacketDissector(limits: configuration.limits)
        var waiting: [CallPackets.Direction: (segments: [(frame: SourceRef, bytes: Int)], bytes: Int)] = [:]
        var kept: Set<SourceRef> = []
        do {
            try reader.forEachPacket { packet in
                guard let transport = dissector.dissect(packet), transport.transport == .tcp else { return }
                let direction = CallPackets.Direction(source: transport.source, destination: transport.destination)
                guard packets.streams.contains(direction) else { return }
                let source = packet.stamp.source
                if packets.frames.contains(source) {
                    kept.formUnion(waiting[direction]?.segments.map(\.frame) ?? [])
                    waiting[direction] = nil
                } else if !transport.payload.isEmpty {
                    var pending = waiting[direction] ?? ([], 0)
                    pending.segments.append((source, transport.payload.count))
                    pending.bytes += transport.payload.count
                    while pending.bytes > 1 << 20 {
                        pending.bytes -= pending.segments.removeFirst().bytes
                    }
                    waiting[direction] = pending
                }
            }
        } catch {
            throw .capture(error)
        }
        return kept
    }

    static func reader(indices: [Int], configuration: PipelineConfiguration) throws(Failure) -> CaptureReader {
        do {
            return try CaptureReader(
                inputs: indices.map { configuration.inputs[$0] }, filter: configuration.filter,
                captureIndices: indices)
        } catch {
            throw .capture(error)
        }
    }
}
