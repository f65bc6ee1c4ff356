import SigflowCore

/// Every UDP and TCP conversation of a capture: counts per direction, TCP reassembly, and the hand-off
/// of TCP bytes to whoever the classifier picks.
///
/// State is bounded: idle flows are ended after `idleTimeoutSeconds` of capture time (closed TCP
/// connections after `closedFlowGraceSeconds`), the longest-idle ones go first when `maxFlows` is
/// reached, and out-of-order bytes count against a shared budget.
public final class FlowTable {
    private final class Flow {
        var summary: FlowSummary
        /// True when the A side (the initiator) is the lower endpoint of the key.
        let aIsLow: Bool
        var client = TCPStreamAssembler()
        var server = TCPStreamAssembler()
        var handling = Handling.undecided(attempts: 0)
        /// What each direction lost before a consumer was picked (gaps, bytes seen while undecided),
        /// told to the consumer as one gap before anything else so its view is never silently joined.
        var skipped: [StreamDirection: Skipped] = [:]

        struct Skipped {
            /// nil when some of it is of unknown size.
            var bytes: Int?
            var stamp: PacketStamp
        }

        func skip(_ count: Int?, direction: StreamDirection, stamp: PacketStamp) {
            if let earlier = skipped[direction] {
                skipped[direction]?.bytes = earlier.bytes.flatMap { total in count.map { total + $0 } }
            } else {
                skipped[direction] = Skipped(bytes: count, stamp: stamp)
            }
        }

        /// Tells a newly picked consumer what it missed, per direction.
        func reportSkipped(to consumer: any StreamConsumer) {
            for direction in [StreamDirection.fromClient, .fromServer] {
                if let missed = skipped[direction] {
                    consumer.gap(missed.bytes, direction: direction, stamp: missed.stamp)
                }
            }
            skipped = [:]
        }

        enum Handling {
            case undecided(attempts: Int)
            case consume(any StreamConsumer)
            case ignore
        }

        init(summary: FlowSummary, aIsLow: Bool) {
            self.summary = summary
            self.aIsLow = aIsLow
        }

        var info: StreamInfo {
            StreamInfo(client: summary.a, server: summary.b)
        }

        var keepsBytes: Bool {
            if case .ignore = handling { return false }
            return true
        }

        var bothDirectionsEnded: Bool { client.ended && server.ended }
        /// What the consumer said it buffers, as last counted in `streamBuffered`.
        var consumerBuffered = 0
    }

    /// How many in-order chunks a connection gets to identify itself before it is ignored.
    static let maxClassificationAttempts = 8

    public let limits: ReassemblyLimits
    private let classifier: (any StreamClassifier)?
    private let tracksUDP: Bool
    private var flows: [FlowKey: Flow] = [:]
    private var budget: Int
    private var lastSweep: CaptureTime?
    private var now: PacketStamp?
    /// Bytes all consumers hold for unfinished messages, kept up to date after each delivery.
    private var streamBuffered = 0
    public private(set) var diagnostics = DiagnosticLog()
    /// Called for every conversation when it ends (eviction, port reuse, or `finish()`).
    public var onFlowEnd: ((FlowSummary) -> Void)?

    /// - Parameters:
    ///   - classifier: picks consumers for TCP connections; nil tracks every connection for counts only.
    ///   - tracksUDP: count UDP conversations too (the `flows` report needs them, call decoding does not).
    public init(limits: ReassemblyLimits = ReassemblyLimits(), classifier: (any StreamClassifier)?, tracksUDP: Bool) {
        self.limits = limits
        self.classifier = classifier
        self.tracksUDP = tracksUDP
        self.budget = limits.maxBufferedBytesTotal
    }

    public var activeFlowCount: Int { flows.count }

    public func add(_ packet: TransportPacket) {
        if packet.transport != .tcp && !tracksUDP { return }
        now = packet.stamp
        sweepIfDue(packet.stamp)
        let (key, lowToHigh) = FlowKey.of(packet.transport, from: packet.source, to: packet.destination)
        var flow: Flow
        if let existing = flows[key] {
            flow = existing
            if packet.transport == .tcp && packet.tcp.isSYN && !packet.tcp.isACK && existing.bothDirectionsEnded {
                end(existing, key: key, reason: .captureEnded)
                flow = open(key, packet: packet, lowToHigh: lowToHigh)
            }
        } else {
            flow = open(key, packet: packet, lowToHigh: lowToHigh)
        }
        let fromA = lowToHigh == flow.aIsLow
        let payloadCount = packet.payload.count + packet.missingPayloadBytes
        if fromA {
            flow.summary.framesAToB += 1
            flow.summary.bytesAToB += packet.wireLength
            flow.summary.payloadBytesAToB += payloadCount
        } else {
            flow.summary.framesBToA += 1
            flow.summary.bytesBToA += packet.wireLength
            flow.summary.payloadBytesBToA += payloadCount
        }
        flow.summary.last = packet.stamp.time
        guard packet.transport == .tcp else { return }
        let direction: StreamDirection = fromA ? .fromClient : .fromServer
        let keep = flow.keepsBytes
        let emit = { (output: TCPStreamAssembler.Output) in self.route(output, of: flow, direction: direction) }
        if fromA {
            flow.client.add(
                sequence: packet.tcp.sequence, flags: packet.tcp, payload: packet.payload,
                missingBytes: packet.missingPayloadBytes, stamp: packet.stamp, keepBytes: keep, limits: limits,
                budget: &budget, emit: emit)
        } else {
            flow.server.add(
                sequence: packet.tcp.sequence, flags: packet.tcp, payload: packet.payload,
                missingBytes: packet.missingPayloadBytes, stamp: packet.stamp, keepBytes: keep, limits: limits,
                budget: &budget, emit: emit)
        }
        if packet.tcp.isRST {
            // A reset aborts the whole connection: the other direction ends with it.
            let emitReverse = { (output: TCPStreamAssembler.Output) in
                self.route(output, of: flow, direction: direction.reversed)
            }
            if fromA {
                flow.server.flush(reason: .reset, stamp: packet.stamp, budget: &budget, emit: emitReverse)
            } else {
                flow.client.flush(reason: .reset, stamp: packet.stamp, budget: &budget, emit: emitReverse)
            }
        }
        if budget < 0 { reclaimBudget() }
    }

    /// Ends every conversation still open: the capture is over.
    public func finish() {
        let open = flows.sorted {
            ($0.value.summary.first, $0.key.low, $0.key.high) < ($1.value.summary.first, $1.key.low, $1.key.high)
        }
        for (key, flow) in open where flows[key] === flow { end(flow, key: key, reason: .captureEnded) }
    }

    private func open(_ key: FlowKey, packet: TransportPacket, lowToHigh: Bool) -> Flow {
        if flows.count >= limits.maxFlows { evictLongestIdle() }
        // The initiator is the sender of the first packet, except that a SYN/ACK seen first (the
        // capture missed the SYN) still names the other side as the client.
        let synAck = packet.transport == .tcp && packet.tcp.isSYN && packet.tcp.isACK
        let initiatorIsSource = !synAck
        let a = initiatorIsSource ? packet.source : packet.destination
        let b = initiatorIsSource ? packet.destination : packet.source
        var summary = FlowSummary(transport: packet.transport, a: a, b: b, first: packet.stamp.time)
        summary.encapsulation = packet.stamp.encapsulation
        let flow = Flow(summary: summary, aIsLow: initiatorIsSource == lowToHigh)
        flows[key] = flow
        return flow
    }

    private func route(_ output: TCPStreamAssembler.Output, of flow: Flow, direction: StreamDirection) {
        switch output {
        case .bytes(let bytes, let stamp):
            if case .undecided(let attempts) = flow.handling {
                decide(flow, direction: direction, bytes: bytes, attempts: attempts)
                switch flow.handling {
                case .consume(let consumer): flow.reportSkipped(to: consumer)
                case .undecided: flow.skip(bytes.count, direction: direction, stamp: stamp)
                case .ignore: break
                }
            }
            if case .consume(let consumer) = flow.handling {
                consumer.receive(bytes, direction: direction, stamp: stamp)
                recount(flow, consumer, stamp: stamp)
            }
        case .gap(let size, let stamp):
            diagnostics.append(
                Diagnostic(
                    .warning, "tcp_gap",
                    "\(flow.info.source(of: direction)) -> \(flow.info.destination(of: direction)): "
                        + "\(size.map { "\($0) bytes" } ?? "bytes") missing from the capture",
                    source: stamp.source))
            switch flow.handling {
            case .consume(let consumer):
                consumer.gap(size, direction: direction, stamp: stamp)
                recount(flow, consumer, stamp: stamp)
            case .undecided: flow.skip(size, direction: direction, stamp: stamp)
            case .ignore: break
            }
        case .end(let reason, let stamp):
            if case .consume(let consumer) = flow.handling {
                consumer.end(reason, direction: direction, stamp: stamp)
                recount(flow, consumer, stamp: stamp)
            }
        case .limitHit(let cap, let stamp):
            let limit =
                cap == .perDirection
                ? "\(limits.maxBufferedBytesPerDirection) bytes per direction"
                : "\(limits.maxBufferedBytesTotal) bytes for all connections together"
            diagnostics.append(
                Diagnostic(
                    .warning, "tcp_reassembly_limit",
                    "\(flow.info.source(of: direction)) -> \(flow.info.destination(of: direction)): out-of-order "
                        + "data exceeded \(limit) while waiting for a missing segment: declaring a gap",
                    source: stamp.source))
        }
    }

    private func decide(_ flow: Flow, direction: StreamDirection, bytes: UnsafeRawBufferPointer, attempts: Int) {
        guard let classifier else {
            flow.handling = .ignore
            return
        }
        switch classifier.classify(flow.info, direction: direction, firstBytes: bytes) {
        case .consume(let consumer):
            flow.handling = .consume(consumer)
        case .ignore:
            flow.handling = .ignore
        case .undecided:
            flow.handling =
                attempts + 1 >= Self.maxClassificationAttempts ? .ignore : .undecided(attempts: attempts + 1)
        }
    }

    private func end(_ flow: Flow, key: FlowKey, reason: StreamEndReason) {
        if flow.summary.transport == .tcp {
            let stamp = now ?? PacketStamp(time: flow.summary.last, source: SourceRef(capture: 0, frame: 0))
            flow.client.flush(reason: reason, stamp: stamp, budget: &budget) {
                route($0, of: flow, direction: .fromClient)
            }
            flow.server.flush(reason: reason, stamp: stamp, budget: &budget) {
                route($0, of: flow, direction: .fromServer)
            }
            flow.summary.streamAToB = flow.client.statistics.published
            flow.summary.streamBToA = flow.server.statistics.published
        }
        flows[key] = nil
        streamBuffered -= flow.consumerBuffered
        flow.consumerBuffered = 0
        onFlowEnd?(flow.summary)
    }

    /// Brings `streamBuffered` up to date with what `consumer` holds now; past the limit the largest
    /// holders are told of a gap in both directions, which makes them drop what they hold (a
    /// thousand connections each in the middle of a huge message would otherwise hold it all).
    private func recount(_ flow: Flow, _ consumer: any StreamConsumer, stamp: PacketStamp) {
        let held = consumer.bufferedBytes
        streamBuffered += held - flow.consumerBuffered
        flow.consumerBuffered = held
        guard streamBuffered > limits.maxStreamBufferedBytes else { return }
        let holders = flows.values.filter { $0.consumerBuffered > 0 }.sorted {
            $0.consumerBuffered > $1.consumerBuffered
        }
        diagnostics.append(
            Diagnostic(
                .warning, "stream_buffer_limit",
                "unfinished messages on TCP connections held more than \(limits.maxStreamBufferedBytes) bytes: "
                    + "dropping the largest (\(holders.first.map { "\($0.consumerBuffered) bytes on \($0.info.key)" } ?? "?"))",
                source: stamp.source))
        for holder in holders where streamBuffered > limits.maxStreamBufferedBytes / 2 {
            guard case .consume(let holding) = holder.handling else { continue }
            holding.gap(nil, direction: .fromClient, stamp: stamp)
            holding.gap(nil, direction: .fromServer, stamp: stamp)
            let left = holding.bufferedBytes
            streamBuffered += left - holder.consumerBuffered
            holder.consumerBuffered = left
        }
    }

    /// Every 10 s of capture time: end idle and closed flows and age out holes nobody will fill.
    private func sweepIfDue(_ stamp: PacketStamp) {
        guard let last = lastSweep else {
            lastSweep = stamp.time
            return
        }
        guard stamp.time.nanoseconds(since: last) > 10_000_000_000 else { return }
        lastSweep = stamp.time
        let idle = Int64(limits.idleTimeoutSeconds * 1e9)
        let closed = Int64(limits.closedFlowGraceSeconds * 1e9)
        for (key, flow) in flows {
            let quiet = stamp.time.nanoseconds(since: flow.summary.last)
            if quiet > idle || (quiet > closed && flow.bothDirectionsEnded) {
                end(flow, key: key, reason: .idleTimeout)
            } else if flow.summary.transport == .tcp {
                flow.client.expireHoles(now: stamp, limits: limits, budget: &budget) {
                    route($0, of: flow, direction: .fromClient)
                }
                flow.server.expireHoles(now: stamp, limits: limits, budget: &budget) {
                    route($0, of: flow, direction: .fromServer)
                }
            }
        }
    }

    /// The table is full: the longest-idle eighth is ended at once. Picking them sorts the table, so
    /// doing it for every new flow made a SYN flood quadratic (220,000 SYNs took two minutes).
    private func evictLongestIdle() {
        let victims = flows.map { (key: $0.key, last: $0.value.summary.last, first: $0.value.summary.first) }
            .sorted { ($0.last, $0.first, $0.key.low, $0.key.high) < ($1.last, $1.first, $1.key.low, $1.key.high) }
            .prefix(max(1, limits.maxFlows / 8))
        diagnostics.append(
            Diagnostic(
                .warning, "flow_table_full",
                "more than \(limits.maxFlows) conversations at once: ending the \(victims.count) longest idle "
                    + "(the first \(victims[0].key))"))
        for victim in victims {
            if let flow = flows[victim.key] { end(flow, key: victim.key, reason: .idleTimeout) }
        }
    }

    /// The shared out-of-order budget ran out: turn the holes of the flows holding most into gaps.
    private func reclaimBudget() {
        diagnostics.append(
            Diagnostic(
                .warning, "tcp_reassembly_limit",
                "out-of-order TCP data exceeded \(limits.maxBufferedBytesTotal) bytes: declaring gaps"))
        let holders = flows.values.filter { $0.client.pendingBytes + $0.server.pendingBytes > 0 }
            .sorted {
                $0.client.pendingBytes + $0.server.pendingBytes > $1.client.pendingBytes + $1.server.pendingBytes
            }
        let stamp = now!
        for flow in holders where budget < 0 {
            flow.client.expireHoles(now: stamp, limits: limits, budget: &budget) {
                route($0, of: flow, direction: .fromClient)
            }
            flow.server.expireHoles(now: stamp, limits: limits, budget: &budget) {
                route($0, of: flow, direction: .fromServer)
            }
        }
    }
}
