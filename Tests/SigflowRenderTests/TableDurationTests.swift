import Testing

@testable import SigflowRender

/// Durations in the `calls` and `flows` tables: three decimals, rounded half away from zero, with
/// the sign merged client logs can give a call (last message logged before the first), over the
/// whole Int64 range.
struct TableDurationTests {
    @Test(arguments: [
        (0, "0.000"),
        (499_999, "0.000"),
        (500_000, "0.001"),
        (1_234_567_890, "1.235"),
        (-250_000_000, "-0.250"),
        (-400_000, "0.000"),
        (-61_000_500_000, "-61.001"),
        (Int64.max, "9223372036.855"),
        (Int64.min, "-9223372036.855"),
    ])
    func seconds(nanoseconds: Int64, expected: String) {
        #expect(TextTable.seconds(nanoseconds) == expected)
    }
}
