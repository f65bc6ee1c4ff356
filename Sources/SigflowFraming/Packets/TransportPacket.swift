import SigflowCore

/// A UDP datagram or TCP segment with its endpoints, as the layers above see it.
///
/// `payload` borrows the capture buffer (or the dissector's reassembly buffer): valid only until the
/// next packet is dissected.
public struct TransportPacket {
    public var transport: TransportProtocol
    public var source: Endpoint
    public var destination: Endpoint
    public var payload: UnsafeRawBufferPointer
    /// Payload bytes the headers announce but the capture lacks (cut by the snapshot length).
    public var missingPayloadBytes: Int
    /// TCP header fields; zero for UDP.
    public var tcp: TCPFields
    /// The packet that carried this (for a reassembled datagram: the fragment that completed it).
    public var stamp: PacketStamp
    /// The on-the-wire length of the frame in `stamp`.
    public var wireLength: Int
    /// How many IP fragments were reassembled into this datagram; 0 when it was not fragmented.
    public var fragmentCount: Int

    public init(
        transport: TransportProtocol, source: Endpoint, destination: Endpoint, payload: UnsafeRawBufferPointer,
        missingPayloadBytes: Int = 0, tcp: TCPFields = TCPFields(), stamp: PacketStamp, wireLength: Int,
        fragmentCount: Int = 0
    ) {
        self.transport = transport
        self.source = source
        self.destination = destination
        self.payload = payload
        self.missingPayloadBytes = missingPayloadBytes
        self.tcp = tcp
        self.stamp = stamp
        self.wireLength = wireLength
        self.fragmentCount = fragmentCount
    }
}

public struct TCPFields: Hashable, Sendable {
    public var sequence: UInt32
    public var acknowledgement: UInt32
    public var flags: UInt8

    public init(sequence: UInt32 = 0, acknowledgement: UInt32 = 0, flags: UInt8 = 0) {
        self.sequence = sequence
        self.acknowledgement = acknowledgement
        self.flags = flags
    }

    public static let fin: UInt8 = 0x01
    public static let syn: UInt8 = 0x02
    public static let rst: UInt8 = 0x04
    public static let ack: UInt8 = 0x10

    public var isSYN: Bool { flags & Self.syn != 0 }
    public var isFIN: Bool { flags & Self.fin != 0 }
    public var isRST: Bool { flags & Self.rst != 0 }
    public var isACK: Bool { flags & Self.ack != 0 }
}
