import CPcap
import SigflowCore

/// A BPF filter compiled once per link type, for pcapng files whose interfaces differ: BPF code
/// reads fixed offsets into the frame, so a filter compiled for Ethernet means nothing on Linux
/// cooked frames. Applied in user space so frame numbers stay those of the file.
final class LinkTypeFilters {
    let expression: String
    private var programs: [bpf_program] = []
    private var indexByLinkType: [Int32: Int] = [:]

    /// Compiles the expression for Ethernet at once, so a filter that is not BPF fails when the
    /// input is opened, as it does for a classic pcap.
    init(expression: String) throws(CaptureError) {
        self.expression = expression
        _ = try index(for: .ethernet, snaplen: 0)
    }

    deinit {
        for index in programs.indices { pcap_freecode(&programs[index]) }
    }

    /// The program for frames of `linkType`, compiled the first time an interface of that type appears.
    func index(for linkType: LinkType, snaplen: Int) throws(CaptureError) -> Int {
        if let index = indexByLinkType[linkType.rawValue] { return index }
        guard let dead = pcap_open_dead(linkType.rawValue, Int32(clamping: snaplen == 0 ? 262_144 : snaplen)) else {
            throw .badFilter(expression: expression, detail: "cannot compile a filter for \(linkType)")
        }
        defer { pcap_close(dead) }
        var program = bpf_program()
        guard pcap_compile(dead, &program, expression, 1, PCAP_NETMASK_UNKNOWN) == 0 else {
            throw .badFilter(expression: expression, detail: "\(String(cString: pcap_geterr(dead))) (\(linkType))")
        }
        programs.append(program)
        indexByLinkType[linkType.rawValue] = programs.count - 1
        return programs.count - 1
    }

    /// Whether the frame passes the program at `index`.
    func passes(_ index: Int, data: UnsafeRawPointer, capturedLength: Int, originalLength: Int) -> Bool {
        var header = pcap_pkthdr()
        header.caplen = UInt32(capturedLength)
        header.len = UInt32(truncatingIfNeeded: originalLength)
        return pcap_offline_filter(&programs[index], &header, data.assumingMemoryBound(to: UInt8.self)) != 0
    }
}
