/// One frame as a capture source hands it over.
///
/// `bytes` points into the capture source's buffer, which the next read overwrites: it is valid only during
/// the callback that receives the packet. Stages that keep bytes copy exactly what they keep (the one
/// copy at the capture edge); everything else is looked at in place and dropped.
public struct CapturedPacket {
    public let bytes: UnsafeRawBufferPointer
    /// The frame's length on the wire, which may exceed `bytes.count` when the snapshot length cut it.
    public let originalLength: Int
    public let stamp: PacketStamp
    public let linkType: LinkType

    public init(bytes: UnsafeRawBufferPointer, originalLength: Int, stamp: PacketStamp, linkType: LinkType) {
        self.bytes = bytes
        self.originalLength = originalLength
        self.stamp = stamp
        self.linkType = linkType
    }
}
