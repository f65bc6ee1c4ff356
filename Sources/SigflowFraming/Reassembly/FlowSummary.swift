import SigflowCore

/// One UDP or TCP conversation, counted the way `tshark -z conv` counts: A is the side that sent
/// the first packet seen (for TCP, the SYN), frames and bytes are on-the-wire frame lengths, and a
/// fragmented IP datagram counts once, in the frame that completed it. A tunnel's conversations are
/// those of its inner packets; one that could not be opened is listed as its outer conversation
/// (UDP, or GRE between two hosts).
public struct FlowSummary: Hashable, Sendable {
    public var transport: TransportProtocol
    public var a: Endpoint
    public var b: Endpoint
    public var framesAToB = 0
    public var bytesAToB = 0
    public var framesBToA = 0
    public var bytesBToA = 0
    /// Transport payload bytes (UDP data, TCP segment data including retransmissions).
    public var payloadBytesAToB = 0
    public var payloadBytesBToA = 0
    public var first: CaptureTime
    public var last: CaptureTime
    /// The tunnel the conversation's first packet came through (or the HEP agent that copied it).
    public var encapsulation: Encapsulation?
    /// TCP only: what reassembly saw per direction.
    public var streamAToB: StreamStatistics?
    public var streamBToA: StreamStatistics?

    public init(transport: TransportProtocol, a: Endpoint, b: Endpoint, first: CaptureTime) {
        self.transport = transport
        self.a = a
        self.b = b
        self.first = first
        self.last = first
    }
}

/// What TCP reassembly saw in one direction of a connection.
public struct StreamStatistics: Hashable, Sendable {
    /// Bytes handed on in order (each byte once, retransmissions excluded).
    public var deliveredBytes: Int64
    public var gaps: Int
    public var gapBytes: Int64
    public var retransmissions: Int
    public var conflictingBytes: Int
    public var pickedUpMidway: Bool
    /// How the direction ended; nil while still open.
    public var endReason: StreamEndReason?
}

extension TCPStreamAssembler.Statistics {
    var published: StreamStatistics {
        StreamStatistics(
            deliveredBytes: deliveredBytes, gaps: gaps, gapBytes: gapBytes, retransmissions: retransmissions,
            conflictingBytes: conflictingBytes, pickedUpMidway: pickedUpMidway, endReason: endReason)
    }
}
