/// Names of the attributes the SIP mapper puts on every `SignalingMessage`, for the checks that read
/// them back. One place, so decoder and rules cannot drift apart.
public enum SIPAttribute {
    public static let cseq = "cseq"
    public static let cseqMethod = "cseq-method"
    public static let viaBranch = "via-branch"
    public static let viaCount = "via-count"
    public static let fromTag = "from-tag"
    public static let toTag = "to-tag"
    public static let from = "from"
    public static let to = "to"
    public static let requestURI = "request-uri"
    public static let contact = "contact"
    public static let userAgent = "user-agent"
    public static let server = "server"
    public static let reason = "reason"
    public static let contentLength = "content-length"
    public static let bodyShortBy = "body-short-by"
    public static let sdp = "sdp"
    public static let sdpMedia = "sdp-media"
    public static let recordRoute = "record-route"
}
