import Foundation
import SigflowCore
import SigflowTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Inputs and places the command-line tests share.
enum CLIFixtures {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A file of the repository (a lab capture, a template) by its path from the root.
    static func path(_ relative: String) -> String { repository.appendingPathComponent(relative).path }

    /// `count` declined SIP calls over UDP (INVITE, 180, 603, ACK), one second apart, each from its own
    /// caller port so that `flows` lists one conversation per call: output that fills a small disk
    /// for every command and format.
    static func declinedCalls(_ count: Int) -> [UInt8] {
        var fixture = Fixture()
        let callee = endpoint("10.0.0.2:5060")
        for index in 0..<count {
            let caller = endpoint("10.0.0.1:\(20_000 + index)")
            let headers = { (cseq: String, toTag: String) in
                "Via: SIP/2.0/UDP 10.0.0.1:\(20_000 + index);branch=z9hG4bK-\(index)\r\n"
                    + "From: <sip:alice@example.com>;tag=a\(index)\r\nTo: <sip:bob@example.com>\(toTag)\r\n"
                    + "Call-ID: call-\(index)@example.com\r\nCSeq: \(cseq)\r\nContent-Length: 0\r\n\r\n"
            }
            fixture.add(
                udpPacket(
                    from: caller, to: callee,
                    payload: Array(("INVITE sip:bob@example.com SIP/2.0\r\n" + headers("1 INVITE", "")).utf8)),
                at: Fixture.start.adding(nanoseconds: Int64(index) * 1_000_000_000))
            for status in ["180 Ringing", "603 Decline"] {
                fixture.add(
                    udpPacket(
                        from: callee, to: caller,
                        payload: Array(("SIP/2.0 \(status)\r\n" + headers("1 INVITE", ";tag=b\(index)")).utf8)))
            }
            fixture.add(
                udpPacket(
                    from: caller, to: callee,
                    payload: Array(("ACK sip:bob@example.com SIP/2.0\r\n" + headers("1 ACK", ";tag=b\(index)")).utf8)))
        }
        return fixture.bytes
    }

    /// Every command and format that writes to standard output, as arguments before the input. The
    /// `check --expect` template does not fit the declined calls, so every call has findings (long
    /// output for `check` too).
    static let standardOutputCommands: [[String]] = [
        ["calls"], ["calls", "--format", "json"],
        ["flows"], ["flows", "--format", "json"],
        ["flow"], ["flow", "--format", "markdown"], ["flow", "--format", "json"],
        ["check", "--expect", path("templates/flows/sip-cancel.md")],
        ["check", "--expect", path("templates/flows/sip-cancel.md"), "--format", "json"],
        ["check", "--expect", path("templates/flows/sip-cancel.md"), "--format", "sarif"],
        ["check", "--expect", path("templates/flows/sip-cancel.md"), "--format", "markdown"],
    ]

    /// The commands that write `-o FILE`.
    static let fileCommands: [[String]] = [
        ["flow", "--call", "call-0@example.com"], ["flow", "--format", "markdown"], ["flow", "--format", "json"],
    ]
}

/// A tmpfs of `size` bytes mounted for one test, with all but about `free` bytes taken: a disk that
/// fills up part-way through a run. Cancels the test (with the reason) where mounting is not allowed.
final class SmallFileSystem {
    let directory = TemporaryDirectory()
    var path: String { directory.path + "/mnt" }

    init(size: Int = 256 << 10, free: Int) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        guard getuid() == 0 else { try Test.cancel("mounting a small tmpfs needs root") }
        let status = "size=\(size),mode=0777".withCString { mount("tmpfs", path, "tmpfs", 0, $0) }
        if status != 0 {
            try Test.cancel("cannot mount a tmpfs here: \(String(cString: strerror(errno)))")
        }
        // tmpfs counts whole pages: fill until a write fails, then give back what `free` asks for.
        let filler = path + "/filler"
        let handle = try #require(FileHandle(forWritingAtPath: createdFile(filler)))
        let page = Data(repeating: 0x5a, count: 4096)
        while (try? handle.write(contentsOf: page)) != nil {}
        try handle.truncate(atOffset: max(0, try handle.offset() - UInt64(free)))
        try handle.close()
    }

    private func createdFile(_ path: String) -> String {
        FileManager.default.createFile(atPath: path, contents: nil)
        return path
    }

    deinit {
        umount2(path, Int32(MNT_DETACH))
    }
}

/// Runs sigflow as the user `nobody` (setpriv), for outputs root could write anyway. Cancels the test
/// where that is not possible.
enum Unprivileged {
    static let setpriv = "/usr/bin/setpriv"

    static func prefix() throws -> [String] {
        guard getuid() == 0 else { try Test.cancel("switching to the user nobody needs root") }
        guard FileManager.default.isExecutableFile(atPath: setpriv) else {
            try Test.cancel("\(setpriv) is absent: cannot run as another user")
        }
        guard getpwnam("nobody") != nil else { try Test.cancel("there is no user nobody") }
        return [setpriv, "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    }
}
