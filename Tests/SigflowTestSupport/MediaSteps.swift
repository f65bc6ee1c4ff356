import SigflowCore

extension SignalingMessage {
    /// The two steps a media tracker makes of one segment of RTP (its first and its last packet),
    /// drawn between the signaling parties `sender` and `receiver` of call `callID` while the packets
    /// use `rtp`: what the media rules of every protocol read.
    public static func mediaSegment(
        _ signalingProtocol: SignalingProtocol, callID: String, from sender: Party, to receiver: Party,
        rtp: (from: Endpoint, to: Endpoint), first: PacketStamp, last: PacketStamp, packets: Int
    ) -> [SignalingMessage] {
        let duration = MediaSegment(first: first, last: last).durationText
        return [(MediaDetail.Event.start, first), (.stop, last)].map { event, stamp in
            var from = sender
            from.endpoint = rtp.from
            var to = receiver
            to.endpoint = rtp.to
            return SignalingMessage(
                call: CallKey(signalingProtocol, callID: callID), callID: callID, kind: .media, sender: from,
                receiver: to, stamp: stamp, transport: .udp,
                identity: MessageKey(tag: 0x6d65_6469_61, text: "\(rtp.from) \(rtp.to) \(event.rawValue)"),
                detail: MediaDetail(
                    event: event, from: rtp.from, to: rtp.to, packets: packets, bytes: packets * 172,
                    duration: duration))
        }
    }
}
