import Testing

@testable import SigflowWhatsApp

struct WAJIDTests {
    @Test func companionDevice() throws {
        let jid = try #require(WAJID("4915112345678:7@s.whatsapp.net"))
        #expect(jid.user == "4915112345678")
        #expect(jid.device == 7)
        #expect(jid.userJID == "4915112345678@s.whatsapp.net")
        #expect(jid.deviceJID == "4915112345678:7@s.whatsapp.net")
    }

    @Test func thePhoneIsDeviceZeroAndPrintsBare() throws {
        #expect(WAJID("447700900123@s.whatsapp.net")?.device == 0)
        #expect(WAJID("447700900123:0@s.whatsapp.net")?.deviceJID == "447700900123@s.whatsapp.net")
        #expect(WAParty.deviceKey("447700900123:0@s.whatsapp.net") == "447700900123@s.whatsapp.net")
    }

    @Test func lidAgentServerAndCall() throws {
        #expect(WAJID("187362541230123:7@lid")?.userJID == "187362541230123@lid")
        #expect(WAJID("1234.1:3@hosted")?.agent == "1")
        #expect(WAJID("1234.1:3@hosted")?.deviceJID == "1234.1:3@hosted")
        #expect(WAJID("s.whatsapp.net")?.isServer == true)
        #expect(WAJID("C4E3@call")?.isCall == true)
        #expect(WAParty.deviceKey("C4E3@call") == nil)
        #expect(WAParty.deviceKey("s.whatsapp.net") == nil)
    }

    @Test(arguments: ["", "a@b@c", "x:y@s.whatsapp.net", "x:-1@s", "a b@s", "user@", "<x>@s"])
    func notAJID(text: String) {
        #expect(WAJID(text) == nil)
    }
}
