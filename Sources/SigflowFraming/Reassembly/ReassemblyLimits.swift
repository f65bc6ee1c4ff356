/// Bounds on the state the reassembly layers may hold, so memory stays flat however long or hostile
/// the capture is. Each limit, when hit, turns into a gap or an eviction plus one warning.
public struct ReassemblyLimits: Sendable, Hashable {
    /// Out-of-order bytes held per TCP direction while waiting for a missing segment. When exceeded the
    /// hole becomes a gap and delivery continues. 4 MiB is far more than any retransmission window of
    /// a signaling connection.
    public var maxBufferedBytesPerDirection = 4 << 20
    /// Out-of-order TCP bytes held across all flows at once.
    public var maxBufferedBytesTotal = 32 << 20
    /// Bytes the stream decoders hold for unfinished messages (a SIP message, an HTTP body, a stanza)
    /// across all connections at once. Each decoder caps one message (1 MiB for SIP, 16 MiB for an
    /// HTTP body); this caps their sum. Past it the connections holding most are treated as having
    /// lost bytes, and their decoders resynchronise.
    public var maxStreamBufferedBytes = 32 << 20
    /// Seconds of capture time a hole may stay open before it is declared a gap: retransmissions
    /// come within a few RTOs, so a hole older than this will not be filled from this capture.
    public var maxHoleAgeSeconds: Double = 5
    /// Flows with no packet for this many seconds of capture time are ended and evicted. An hour:
    /// signaling associations go quiet for minutes and are still one conversation (XMPP and SIP
    /// keep-alives, NetBIOS announcements every 12 minutes in aaa.pcap). Ending them earlier splits one
    /// conversation into several `flows` rows (tshark keeps one) and hides any gap across the split,
    /// since the second part is picked up mid-way. Memory stays bounded by `maxFlows`, and holes age
    /// out after `maxHoleAgeSeconds` whatever this says.
    public var idleTimeoutSeconds: Double = 3600
    /// A TCP connection closed both ways (FIN or RST) is ended after this many quiet seconds instead:
    /// TIME-WAIT lasts two maximum segment lifetimes (RFC 9293 §3.4.2, two minutes each), after which
    /// no segment of it can still arrive. Short connections then cost no memory for the next hour.
    public var closedFlowGraceSeconds: Double = 240
    /// Flows tracked at once; past this the longest-idle eighth is ended early. A flow with its two
    /// reassembly directions weighs about 700 bytes, so 50,000 of them (a SYN flood's worth; TCP
    /// clients of a big registrar) stay within about 35 MB.
    public var maxFlows = 50_000
    /// Incomplete IP datagrams (fragments waiting for their siblings) held at once.
    public var maxPendingDatagrams = 4096
    /// Fragment bytes held at once across all incomplete datagrams.
    public var maxPendingFragmentBytes = 16 << 20
    /// Calls held open at once; past this the longest-idle ones (finished ones first) are completed
    /// early and forgotten, so memory stays flat on captures of any length. 20,000 concurrent calls
    /// is far more than one capture point usually sees.
    public var maxOpenCalls = 20_000
    /// Seconds of capture time an incomplete datagram waits for its missing fragments (RFC 791
    /// suggests 15 s; Linux waits 30 s).
    public var fragmentTimeoutSeconds: Double = 30

    public init() {}
}
