/// Bounds on what one HTTP connection may make sigflow hold.
public struct HTTPLimits: Sendable, Hashable {
    /// A header block larger than this is junk (or an attack), not HTTP.
    public var maxHeaderBytes = 64 << 10
    /// Bodies larger than this are skipped with a diagnostic. A Matrix /sync response after a long
    /// absence can reach a few megabytes; 16 MiB leaves room.
    public var maxBodyBytes = 16 << 20
    /// A compressed body may not inflate beyond this (a zip bomb stops here).
    public var maxInflatedBytes = 64 << 20
    /// WebSocket messages larger than this are skipped.
    public var maxWebSocketMessageBytes = 16 << 20

    public init() {}
}
