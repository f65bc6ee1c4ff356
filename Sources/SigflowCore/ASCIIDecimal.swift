/// Numbers as the SIP, SDP and HTTP grammars write them: `1*DIGIT`, no sign, no spaces. Swift's
/// `Int(_:)` also takes a sign and any magnitude up to `Int.max`, which let a hostile
/// `Content-Length: -300` or `9223372036854775807` drive framing arithmetic out of range.
public enum ASCIIDecimal {
    /// The value of `digits`, or nil when it is empty, holds anything but digits, or has more than
    /// `maxDigits` of them (so that sums of a few such values cannot overflow).
    @inlinable
    public static func value<Digits: Collection<UInt8>>(_ digits: Digits, maxDigits: Int = 18) -> Int? {
        guard !digits.isEmpty, digits.count <= maxDigits else { return nil }
        var value = 0
        for digit in digits {
            guard digit >= UInt8(ascii: "0") && digit <= UInt8(ascii: "9") else { return nil }
            value = value &* 10 &+ Int(digit &- UInt8(ascii: "0"))
        }
        return value
    }
}
