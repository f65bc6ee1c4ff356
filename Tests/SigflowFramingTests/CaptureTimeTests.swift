import SigflowCore
import Testing

/// Calendar times as every table and document prints them, across the whole range a capture time
/// can take (an Int64 of nanoseconds), against Python's datetime.
struct CaptureTimeTests {
    @Test(arguments: [
        (Int64.max, "2262-04-11T23:47:16.854Z"),
        (Int64.min + 1_000_000, "1677-09-21T00:12:43.146Z"),
        (0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.999Z"),
        (1_795_383_887_392_564_000, "2026-11-22T21:44:47.392Z"),
        (951_782_400_000_000_000, "2000-02-29T00:00:00.000Z"),
    ])
    func iso8601(nanoseconds: Int64, expected: String) {
        #expect(CaptureTime(nanoseconds: nanoseconds).iso8601 == expected)
    }
}
