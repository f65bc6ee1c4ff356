/// A point in time as a capture records it: nanoseconds since the Unix epoch.
///
/// Integer nanoseconds keep ordering and differences exact, which floating-point seconds do not for
/// captures whose packets are microseconds apart.
public struct CaptureTime: Hashable, Comparable, Sendable {
    public var nanoseconds: Int64

    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public init(seconds: Int64, nanoseconds: Int64) {
        self.nanoseconds = seconds &* 1_000_000_000 &+ nanoseconds
    }

    /// Seconds as read from text (logs, JSON): a value beyond the ±292 years nanoseconds can hold,
    /// or not a number, is clamped rather than trapping.
    public init(seconds: Double) {
        let nanoseconds = (seconds * 1e9).rounded()
        self.nanoseconds = nanoseconds.isNaN ? 0 : Int64(max(min(nanoseconds, 9.2e18), -9.2e18))
    }

    public static let zero = CaptureTime(nanoseconds: 0)

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    public static func < (lhs: CaptureTime, rhs: CaptureTime) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// The signed distance from `earlier` to `self` in nanoseconds.
    public func nanoseconds(since earlier: CaptureTime) -> Int64 { nanoseconds &- earlier.nanoseconds }

    public func adding(nanoseconds delta: Int64) -> CaptureTime { CaptureTime(nanoseconds: nanoseconds &+ delta) }

    /// Epoch seconds with nine decimals, as tshark prints `frame.time_epoch`.
    public var epochString: String {
        let negative = nanoseconds < 0
        let magnitude = nanoseconds.magnitude
        let whole = magnitude / 1_000_000_000
        let fraction = String(magnitude % 1_000_000_000)
        let padded = String(repeating: "0", count: 9 - fraction.count) + fraction
        return (negative ? "-" : "") + "\(whole).\(padded)"
    }

    /// UTC calendar time with milliseconds, `2024-05-01T10:00:00.123Z`.
    public var iso8601: String {
        let totalMillis = nanoseconds >= 0 ? nanoseconds / 1_000_000 : (nanoseconds - 999_999) / 1_000_000
        let millis = Int(((totalMillis % 1000) + 1000) % 1000)
        let secondsSinceEpoch = (totalMillis - Int64(millis)) / 1000
        let days = Int(secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400)
        let secondOfDay = Int(secondsSinceEpoch - Int64(days) * 86_400)
        let (year, month, day) = CaptureTime.civilDate(daysSinceEpoch: days)
        // Digit by digit into 24 bytes: ten padded, interpolated numbers cost more than the rest of
        // a call table row. An Int64 of nanoseconds spans the years 1677 to 2262, always 4 digits.
        return String(unsafeUninitializedCapacity: 24) { buffer in
            var position = 0
            func put(_ value: Int, width: Int, then separator: UInt8) {
                var rest = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[position + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                buffer[position + width] = separator
                position += width + 1
            }
            put(year, width: 4, then: UInt8(ascii: "-"))
            put(month, width: 2, then: UInt8(ascii: "-"))
            put(day, width: 2, then: UInt8(ascii: "T"))
            put(secondOfDay / 3600, width: 2, then: UInt8(ascii: ":"))
            put(secondOfDay / 60 % 60, width: 2, then: UInt8(ascii: ":"))
            put(secondOfDay % 60, width: 2, then: UInt8(ascii: "."))
            put(millis, width: 3, then: UInt8(ascii: "Z"))
            return position
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilDate(daysSinceEpoch days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
