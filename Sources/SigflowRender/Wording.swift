/// Words a person reads in sigflow's messages and reports.
public enum Wording {
    /// `1 finding`, `2 findings`, `0 findings`.
    public static func count(_ value: Int, _ singular: String, plural: String? = nil) -> String {
        "\(value) " + (value == 1 ? singular : plural ?? singular + "s")
    }

    /// What a run that found no call says instead of an empty table: which inputs were read and how
    /// much of them was UDP or TCP, so a capture of the wrong port or interface shows for what it is.
    public static func noCallsFound(in inputs: [String], packets: Int, transportPackets: Int, logLines: Int) -> String {
        var read: [String] = []
        if packets > 0 || logLines == 0 {
            read.append("\(count(packets, "packet")) read, \(transportPackets) of them UDP/TCP")
        }
        if logLines > 0 { read.append("\(count(logLines, "log line")) read") }
        return
            "no calls found in \(TerminalText.escape(inputs.joined(separator: ", "))) (\(read.joined(separator: "; ")))"
    }
}
