/// Bounds on what one XMPP stream may make sigflow hold or build.
public struct XMPPLimits: Sendable, Hashable {
    /// A top-level element (stanza) larger than this is skipped and the framer resynchronises at the
    /// next stanza. Prosody's default c2s limit is 256 KiB and ejabberd's 64 KiB; 1 MiB leaves room
    /// for a session-initiate with many candidates and still bounds a hostile stream.
    public var maxStanzaBytes = 1 << 20
    /// Elements nested deeper than this are read past but not built. A carbon-wrapped Jingle
    /// candidate sits at depth 8; 32 is generous and keeps recursion shallow.
    public var maxDepth = 32
    /// Elements built per stanza: beyond this the rest of the stanza is read past. A 1 MiB stanza of
    /// `<a/>` would otherwise become 200 000 nodes.
    public var maxElements = 20_000
    /// Attributes kept per element (the rest are dropped).
    public var maxAttributes = 64
    /// Pending Jingle IQ-sets remembered to place their answers (IQ results carry no sid); the
    /// oldest are forgotten beyond this.
    public var maxPendingRequests = 10_000
    /// Calls whose state (what each stanza meant) is remembered; the oldest are forgotten beyond
    /// this, so a long capture does not grow memory without bound. A call's stanzas arrive within
    /// minutes of each other, far fewer than this many calls apart.
    public var maxTrackedCalls = 100_000
    /// WebSocket connections whose XMPP state is remembered; the oldest are forgotten beyond this.
    public var maxWebSocketConnections = 10_000

    public init() {}
}
